package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"youthlink/bot"
)

// Roster is a whole roster to store at once: the committee tree, the cadres and which groups each
// cadre keeps. Names are the keys: committees and cadres by name, groups by platform and name.
type Roster struct {
	Committees []RosterCommittee
	Cadres     []RosterCadre
	Groups     []RosterGroup
}

// RosterCommittee is a committee with its parent's name ("" for a root).
type RosterCommittee struct {
	Name, Parent, Level string
}

// RosterCadre is a cadre with their committee's name. Target must be positive.
type RosterCadre struct {
	Name, Committee, Kind string
	Target                int
}

// RosterGroup registers the group named Name on Platform to the cadre named Cadre.
type RosterGroup struct {
	Platform bot.Platform
	Name     string
	Cadre    string
}

// RosterProblem is one entry of a roster that refers to something that does not exist or is
// ambiguous. Table is "committees", "cadres" or "groups"; Index is the entry's index there.
type RosterProblem struct {
	Table  string
	Index  int
	Field  string // "parent", "committee", "cadre", "name"
	Reason string // in Chinese
}

// RosterProblems is the error ApplyRoster returns when entries are wrong; nothing was stored.
type RosterProblems []RosterProblem

func (p RosterProblems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "名单有 %d 处错误，未写入任何内容", len(p))
	for _, q := range p {
		fmt.Fprintf(&b, "；%s[%d].%s：%s", q.Table, q.Index, q.Field, q.Reason)
	}
	return b.String()
}

// ApplyRoster stores a whole roster in one transaction: all of it or, on any problem, nothing.
// Committees and cadres are created or updated by name (what the roster does not name is kept);
// committees may come in any order, a parent after its children. Each group is found by platform
// and name, created (with its name as chat id, as imports do) when unknown, and registered to its
// cadre, replacing an earlier registration; the open questions asked there while it had no cadre
// go to that cadre. Unknown parents, committees and cadres, cycles in the
// tree and names shared by several groups come back as RosterProblems.
func (db *DB) ApplyRoster(ctx context.Context, r Roster) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var probs RosterProblems
		committees, err := nameIDs(ctx, tx, `SELECT name, id FROM committees`)
		if err != nil {
			return err
		}
		// Committees: place each one whose parent is known, until no more can be placed.
		placed := make([]bool, len(r.Committees))
		for progress := true; progress; {
			progress = false
			for i, c := range r.Committees {
				if placed[i] {
					continue
				}
				var parent any
				if c.Parent != "" {
					id, ok := committees[c.Parent]
					if !ok {
						continue
					}
					parent = id
				}
				var id int64
				if err := tx.QueryRowContext(ctx, `INSERT INTO committees (name, parent_id, level) VALUES (?, ?, ?)
					ON CONFLICT (name) DO UPDATE SET parent_id = excluded.parent_id, level = excluded.level RETURNING id`,
					c.Name, parent, c.Level).Scan(&id); err != nil {
					return fmt.Errorf("save committee %s: %w", c.Name, err)
				}
				committees[c.Name], placed[i], progress = id, true, true
			}
		}
		for i, c := range r.Committees {
			if !placed[i] {
				probs = append(probs, RosterProblem{"committees", i, "parent", fmt.Sprintf("上级团委「%s」不存在", c.Parent)})
			}
		}
		if p, err := committeeCycles(ctx, tx, r.Committees, committees); err != nil {
			return err
		} else {
			probs = append(probs, p...)
		}
		for i, c := range r.Cadres {
			cid, ok := committees[c.Committee]
			if !ok {
				probs = append(probs, RosterProblem{"cadres", i, "committee", fmt.Sprintf("团委「%s」不存在", c.Committee)})
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cadres (name, committee_id, kind, target, created_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (name) DO UPDATE SET committee_id = excluded.committee_id, kind = excluded.kind, target = excluded.target`,
				c.Name, cid, c.Kind, c.Target, db.Now().Unix()); err != nil {
				return fmt.Errorf("save cadre %s: %w", c.Name, err)
			}
		}
		cadres, err := nameIDs(ctx, tx, `SELECT name, id FROM cadres`)
		if err != nil {
			return err
		}
		for i, g := range r.Groups {
			cid, ok := cadres[g.Cadre]
			if !ok {
				probs = append(probs, RosterProblem{"groups", i, "cadre", fmt.Sprintf("团干部「%s」不存在", g.Cadre)})
				continue
			}
			var ids []int64
			rows, err := tx.QueryContext(ctx, `SELECT id FROM groups WHERE platform = ? AND name = ? ORDER BY id`, g.Platform, g.Name)
			if err != nil {
				return fmt.Errorf("find group: %w", err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			switch len(ids) {
			case 0:
				_, err = tx.ExecContext(ctx, `INSERT INTO groups (platform, chat_id, name, cadre_id, first_at) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT (platform, chat_id) DO UPDATE SET cadre_id = excluded.cadre_id`,
					g.Platform, g.Name, g.Name, cid, db.Now().Unix())
			case 1:
				if _, err = tx.ExecContext(ctx, `UPDATE groups SET cadre_id = ? WHERE id = ?`, cid, ids[0]); err == nil {
					_, err = handOver(ctx, tx, cid, ids[0])
				}
			default:
				probs = append(probs, RosterProblem{"groups", i, "name", fmt.Sprintf("%s 上有 %d 个名为「%s」的群，无法确定是哪一个", g.Platform, len(ids), g.Name)})
			}
			if err != nil {
				return fmt.Errorf("register group %s: %w", g.Name, err)
			}
		}
		if len(probs) > 0 {
			return probs
		}
		return nil
	})
	if err != nil {
		if _, ok := err.(RosterProblems); ok {
			return err
		}
		return fmt.Errorf("apply roster: %w", err)
	}
	db.mu.Lock()
	db.groups = map[chatKey]*group{} // registrations changed: read groups again
	db.mu.Unlock()
	return nil
}

// committeeCycles reports each roster committee whose chain of parents comes back to itself.
func committeeCycles(ctx context.Context, tx *sql.Tx, cs []RosterCommittee, ids map[string]int64) (RosterProblems, error) {
	parent := map[int64]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0) FROM committees`)
	if err != nil {
		return nil, fmt.Errorf("read committee tree: %w", err)
	}
	for rows.Next() {
		var id, p int64
		if err := rows.Scan(&id, &p); err != nil {
			rows.Close()
			return nil, err
		}
		parent[id] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var probs RosterProblems
	for i, c := range cs {
		start, ok := ids[c.Name]
		if !ok {
			continue
		}
		for at, steps := parent[start], 0; at != 0 && steps <= len(parent); at, steps = parent[at], steps+1 {
			if at == start {
				probs = append(probs, RosterProblem{"committees", i, "parent", fmt.Sprintf("上级团委「%s」形成了循环（团委是自己的上级）", c.Parent)})
				break
			}
		}
	}
	return probs, nil
}

// nameIDs reads a name → id map.
func nameIDs(ctx context.Context, tx *sql.Tx, q string) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read names: %w", err)
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var n string
		var id int64
		if err := rows.Scan(&n, &id); err != nil {
			return nil, err
		}
		m[n] = id
	}
	return m, rows.Err()
}

// RosterNow reads the stored roster in the shape ApplyRoster takes: every committee and cadre,
// and every group registered to a cadre.
func (db *DB) RosterNow(ctx context.Context) (Roster, error) {
	var r Roster
	err := db.each(ctx, `SELECT c.name, COALESCE(p.name, ''), c.level FROM committees c LEFT JOIN committees p ON p.id = c.parent_id ORDER BY c.id`,
		nil, func(rows *sql.Rows) error {
			var c RosterCommittee
			if err := rows.Scan(&c.Name, &c.Parent, &c.Level); err != nil {
				return err
			}
			r.Committees = append(r.Committees, c)
			return nil
		})
	if err != nil {
		return r, fmt.Errorf("read committees: %w", err)
	}
	err = db.each(ctx, `SELECT d.name, c.name, d.kind, d.target FROM cadres d JOIN committees c ON c.id = d.committee_id ORDER BY d.id`,
		nil, func(rows *sql.Rows) error {
			var c RosterCadre
			if err := rows.Scan(&c.Name, &c.Committee, &c.Kind, &c.Target); err != nil {
				return err
			}
			r.Cadres = append(r.Cadres, c)
			return nil
		})
	if err != nil {
		return r, fmt.Errorf("read cadres: %w", err)
	}
	err = db.each(ctx, `SELECT g.platform, g.name, d.name FROM groups g JOIN cadres d ON d.id = g.cadre_id ORDER BY g.id`,
		nil, func(rows *sql.Rows) error {
			var g RosterGroup
			if err := rows.Scan(&g.Platform, &g.Name, &g.Cadre); err != nil {
				return err
			}
			r.Groups = append(r.Groups, g)
			return nil
		})
	if err != nil {
		return r, fmt.Errorf("read groups: %w", err)
	}
	return r, nil
}
