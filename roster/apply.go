package roster

import (
	"context"
	"errors"
	"io"

	"youthlink/storage"
)

// Store is what Apply and Export need from the database.
type Store interface {
	ApplyRoster(ctx context.Context, r storage.Roster) error
	RosterNow(ctx context.Context) (storage.Roster, error)
}

// columnOf names the column a storage problem is about.
var columnOf = map[string]string{"parent": hParent, "committee": hOwnCom, "cadre": hCadre, "name": hGroup}

// Apply stores the roster all or nothing. A roster with row errors is refused as a whole
// (Errors); so is one whose references do not resolve against the file and the database
// (an unknown parent committee, committee or cadre), reported by row as Errors as well.
func Apply(ctx context.Context, db Store, r *Roster) error {
	if len(r.Errors) > 0 {
		return Errors(r.Errors)
	}
	var s storage.Roster
	for _, c := range r.Committees {
		s.Committees = append(s.Committees, storage.RosterCommittee{Name: c.Name, Parent: c.Parent, Level: c.Level})
	}
	for _, c := range r.Cadres {
		s.Cadres = append(s.Cadres, storage.RosterCadre{Name: c.Name, Committee: c.Committee, Kind: c.Kind, Target: c.Target})
	}
	for _, g := range r.Groups {
		s.Groups = append(s.Groups, storage.RosterGroup{Platform: g.Platform, Name: g.Name, Cadre: g.Cadre})
	}
	err := db.ApplyRoster(ctx, s)
	var probs storage.RosterProblems
	if !errors.As(err, &probs) {
		return err
	}
	var es Errors
	for _, p := range probs {
		var pos Pos
		switch {
		case p.Table == "committees" && p.Index < len(r.Committees):
			pos = r.Committees[p.Index].Pos
		case p.Table == "cadres" && p.Index < len(r.Cadres):
			pos = r.Cadres[p.Index].Pos
		case p.Table == "groups" && p.Index < len(r.Groups):
			pos = r.Groups[p.Index].Pos
		}
		es = append(es, RowError{Sheet: pos.Sheet, Row: pos.Row, Column: columnOf[p.Field], Reason: p.Reason})
	}
	return es
}

// Export writes the stored roster — every committee and cadre, and the groups registered to a
// cadre — in the format, so that it imports back unchanged.
func Export(ctx context.Context, db Store, w io.Writer, format Format) error {
	s, err := db.RosterNow(ctx)
	if err != nil {
		return err
	}
	r := &Roster{}
	for _, c := range s.Committees {
		r.Committees = append(r.Committees, Committee{Name: c.Name, Parent: c.Parent, Level: c.Level})
	}
	for _, c := range s.Cadres {
		r.Cadres = append(r.Cadres, Cadre{Name: c.Name, Committee: c.Committee, Kind: c.Kind, Target: c.Target})
	}
	for _, g := range s.Groups {
		r.Groups = append(r.Groups, Group{Name: g.Name, Platform: g.Platform, Cadre: g.Cadre})
	}
	return write(w, r, format)
}
