package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"time"

	"youthlink/bot"
)

// Committee is a 团委: a node of the committee tree.
type Committee struct {
	ID     int64
	Name   string
	Parent int64 // 0 for a root
	Level  string
}

// Cadre is a 团干部.
type Cadre struct {
	ID        int64
	Name      string
	Committee int64
	Kind      string // full_time, seconded, leader_part_time, part_time
	Target    int    // youths to keep in touch with: 100, or 10 for other part-time cadres
}

// PutCommittee creates the committee or updates its parent and level; parent "" makes a root.
func (db *DB) PutCommittee(ctx context.Context, name, parent, level string) (int64, error) {
	var id int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var pid any
		if parent != "" {
			var p int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM committees WHERE name = ?`, parent).Scan(&p); err != nil {
				if err == sql.ErrNoRows {
					return fmt.Errorf("上级团委「%s」不存在: %w", parent, ErrNotFound)
				}
				return err
			}
			pid = p
		}
		return tx.QueryRowContext(ctx, `INSERT INTO committees (name, parent_id, level) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET parent_id = excluded.parent_id, level = excluded.level RETURNING id`,
			name, pid, level).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("save committee %s: %w", name, err)
	}
	return id, nil
}

// PutCadre creates the cadre or updates their committee, kind and target.
func (db *DB) PutCadre(ctx context.Context, c Cadre, committee string) (int64, error) {
	var id int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var cid int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM committees WHERE name = ?`, committee).Scan(&cid); err != nil {
			if err == sql.ErrNoRows {
				return fmt.Errorf("团委「%s」不存在: %w", committee, ErrNotFound)
			}
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO cadres (name, committee_id, kind, target, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET committee_id = excluded.committee_id, kind = excluded.kind, target = excluded.target
			RETURNING id`, c.Name, cid, c.Kind, c.Target, db.Now().Unix()).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("save cadre %s: %w", c.Name, err)
	}
	return id, nil
}

// Committees lists every committee.
func (db *DB) Committees(ctx context.Context) ([]Committee, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, COALESCE(parent_id, 0), level FROM committees ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list committees: %w", err)
	}
	defer rows.Close()
	var out []Committee
	for rows.Next() {
		var c Committee
		if err := rows.Scan(&c.ID, &c.Name, &c.Parent, &c.Level); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Cadres lists every cadre.
func (db *DB) Cadres(ctx context.Context) ([]Cadre, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, committee_id, kind, target FROM cadres ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list cadres: %w", err)
	}
	defer rows.Close()
	var out []Cadre
	for rows.Next() {
		var c Cadre
		if err := rows.Scan(&c.ID, &c.Name, &c.Committee, &c.Kind, &c.Target); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CadreByName finds a cadre.
func (db *DB) CadreByName(ctx context.Context, name string) (Cadre, error) {
	var c Cadre
	err := db.r.QueryRowContext(ctx, `SELECT id, name, committee_id, kind, target FROM cadres WHERE name = ?`, name).
		Scan(&c.ID, &c.Name, &c.Committee, &c.Kind, &c.Target)
	if err == sql.ErrNoRows {
		return c, fmt.Errorf("团干部「%s」不存在: %w", name, ErrNotFound)
	}
	return c, err
}

// CadreByID finds a cadre.
func (db *DB) CadreByID(ctx context.Context, id int64) (Cadre, error) {
	var c Cadre
	err := db.r.QueryRowContext(ctx, `SELECT id, name, committee_id, kind, target FROM cadres WHERE id = ?`, id).
		Scan(&c.ID, &c.Name, &c.Committee, &c.Kind, &c.Target)
	if err == sql.ErrNoRows {
		return c, fmt.Errorf("cadre %d: %w", id, ErrNotFound)
	}
	return c, err
}

// NewBindCode makes a one-time six-digit code with which the cadre binds a chat account.
func (db *DB) NewBindCode(ctx context.Context, cadre string, ttl time.Duration) (string, error) {
	c, err := db.CadreByName(ctx, cadre)
	if err != nil {
		return "", err
	}
	for range 5 {
		n, err := rand.Int(rand.Reader, big.NewInt(900000))
		if err != nil {
			return "", fmt.Errorf("bind code: %w", err)
		}
		code := fmt.Sprint(100000 + n.Int64())
		_, err = db.w.ExecContext(ctx, `INSERT INTO bind_codes (code, cadre_id, expires_at) VALUES (?, ?, ?)`,
			code, c.ID, db.Now().Add(ttl).Unix())
		if err == nil {
			return code, nil
		}
	}
	return "", errors.New("bind code: no free code, try again")
}

// Bind errors a user can cause.
var (
	ErrBadCode  = errors.New("绑定码不存在或已失效")
	ErrUsedCode = errors.New("绑定码已被使用过")
)

// Bind uses a one-time code: the chat identity becomes the code's cadre. It returns the cadre.
func (db *DB) Bind(ctx context.Context, code string, identity int64) (Cadre, error) {
	var c Cadre
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var cid, exp int64
		var used sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT cadre_id, expires_at, used_at FROM bind_codes WHERE code = ?`, code).Scan(&cid, &exp, &used)
		switch {
		case err == sql.ErrNoRows || (err == nil && exp < db.Now().Unix()):
			return ErrBadCode
		case err != nil:
			return err
		case used.Valid:
			return ErrUsedCode
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bind_codes SET used_at = ? WHERE code = ?`, db.Now().Unix(), code); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE identities SET cadre_id = ? WHERE id = ?`, cid, identity); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT id, name, committee_id, kind, target FROM cadres WHERE id = ?`, cid).
			Scan(&c.ID, &c.Name, &c.Committee, &c.Kind, &c.Target)
	})
	if err != nil {
		return c, fmt.Errorf("bind: %w", err)
	}
	db.forget(identity)
	return c, nil
}

// SetAccountOwner records that a bot account is a cadre's own, so private chats with it count.
func (db *DB) SetAccountOwner(ctx context.Context, p bot.Platform, account, cadre string) error {
	c, err := db.CadreByName(ctx, cadre)
	if err != nil {
		return err
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO accounts (platform, account, cadre_id) VALUES (?, ?, ?)
		ON CONFLICT (platform, account) DO UPDATE SET cadre_id = excluded.cadre_id`, p, account, c.ID); err != nil {
		return fmt.Errorf("account owner: %w", err)
	}
	return db.loadOwners(ctx)
}

func (db *DB) loadOwners(ctx context.Context) error {
	rows, err := db.w.QueryContext(ctx, `SELECT platform, account, cadre_id FROM accounts`)
	if err != nil {
		return fmt.Errorf("load accounts: %w", err)
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var p, a string
		var c int64
		if err := rows.Scan(&p, &a, &c); err != nil {
			return err
		}
		m[p+"\x00"+a] = c
	}
	db.mu.Lock()
	db.owners = m
	db.mu.Unlock()
	return rows.Err()
}

// RegisterGroup registers a group to a cadre (/登记本群). It fails with ErrTaken naming the
// other cadre when the group is registered to someone else. The open questions asked in the group
// while it had no cadre are handed to the cadre; waiting says how many.
func (db *DB) RegisterGroup(ctx context.Context, groupID, cadreID int64) (already bool, waiting int, err error) {
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var cur sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT cadre_id FROM groups WHERE id = ?`, groupID).Scan(&cur); err != nil {
			return err
		}
		already = cur.Valid && cur.Int64 == cadreID
		if cur.Valid && !already {
			var name string
			tx.QueryRowContext(ctx, `SELECT name FROM cadres WHERE id = ?`, cur.Int64).Scan(&name)
			return &TakenError{Cadre: name}
		}
		if !already {
			if _, err := tx.ExecContext(ctx, `UPDATE groups SET cadre_id = ? WHERE id = ?`, cadreID, groupID); err != nil {
				return err
			}
		}
		n, err := handOver(ctx, tx, cadreID, groupID)
		waiting = n
		return err
	})
	if err == nil {
		db.mu.Lock()
		for k, g := range db.groups {
			if g.id == groupID {
				delete(db.groups, k)
			}
		}
		db.mu.Unlock()
	}
	return already, waiting, err
}

// TakenError says a group is already registered to another cadre.
type TakenError struct{ Cadre string }

func (e *TakenError) Error() string { return "本群已登记在团干部「" + e.Cadre + "」名下" }

// OptOut takes a youth out of the statistics (/退出统计): the text of their messages is removed,
// their interactions and rollups are deleted, and from now on they are never counted. Message keys
// stay, so a replay is still recognised.
func (db *DB) OptOut(ctx context.Context, identity int64) error {
	var settled int64
	err := db.tx(ctx, func(tx *sql.Tx) (err error) {
		settled, err = db.removeTraces(ctx, tx, identity, false)
		return err
	})
	if err != nil {
		return fmt.Errorf("opt out: %w", err)
	}
	db.committed(outcome{settled: true, upTo: settled})
	db.forget(identity)
	return nil
}

// Erase deletes what YouthLink holds about a person (/删除我的数据): as OptOut, plus their
// names, group memberships, activity participation and questions. Only a bare row remains so
// that they stay out of the statistics.
func (db *DB) Erase(ctx context.Context, identity int64) error {
	var settled int64
	err := db.tx(ctx, func(tx *sql.Tx) (err error) {
		settled, err = db.removeTraces(ctx, tx, identity, true)
		return err
	})
	if err != nil {
		return fmt.Errorf("erase: %w", err)
	}
	db.committed(outcome{settled: true, upTo: settled})
	db.forget(identity)
	return nil
}

// removeTraces deletes what OptOut (and, with erase, Erase) removes, after settling the pending
// rollup increments, so none of theirs comes back after the deletes; it returns the settle's last row.
func (db *DB) removeTraces(ctx context.Context, tx *sql.Tx, id int64, erase bool) (int64, error) {
	settled, err := db.settle(ctx, tx, newDeltas())
	if err != nil {
		return 0, err
	}
	stmts := []string{
		`UPDATE identities SET opted_out = 1 WHERE id = ?`,
		`UPDATE messages SET text = NULL WHERE sender_id = ?`,
		`DELETE FROM interactions WHERE youth_id = ?`,
		`DELETE FROM interaction_daily WHERE youth_id = ?`,
		`DELETE FROM member_daily WHERE identity_id = ?`,
	}
	if erase {
		stmts = append(stmts,
			`UPDATE identities SET name = '' WHERE id = ?`,
			`DELETE FROM identity_names WHERE identity_id = ?`,
			`UPDATE messages SET sender_id = NULL WHERE sender_id = ?`,
			`DELETE FROM group_members WHERE identity_id = ?`,
			`DELETE FROM activity_participants WHERE identity_id = ?`,
			`DELETE FROM roster WHERE identity_id = ?`,
			`UPDATE questions SET text = '', answer = '' WHERE asker_id = ?`,
		)
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return 0, fmt.Errorf("%s: %w", q[:30], err)
		}
	}
	return settled, nil
}

// forget drops an identity from the cache so the next use reads it again.
func (db *DB) forget(identity int64) {
	db.mu.Lock()
	if i := db.byID[identity]; i != nil {
		for k, v := range db.idents {
			if v.id == identity {
				delete(db.idents, k)
			}
		}
		delete(db.byID, identity)
	}
	for k := range db.members {
		if k[1] == identity {
			delete(db.members, k)
		}
	}
	db.mu.Unlock()
}

// IdentityByName finds identities on a platform by current or former name (for @ resolution in
// commands and the console).
func (db *DB) IdentityByName(ctx context.Context, p bot.Platform, name string) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT i.id FROM identities i LEFT JOIN identity_names n ON n.identity_id = i.id
		WHERE i.platform = ? AND (i.name = ? OR n.name = ?) AND i.opted_out = 0 ORDER BY i.id`, p, name, name)
	if err != nil {
		return nil, fmt.Errorf("find identity: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Person is an identity with how it counts: the cadre it is bound to (0 for a youth) and
// whether it left the statistics.
type Person struct {
	ID, Cadre int64
	OptedOut  bool
}

// Person returns the identity of a platform user, registering it when unknown, with how it
// counts, in one statement.
func (db *DB) Person(ctx context.Context, p bot.Platform, u bot.User) (Person, error) {
	var ps Person
	var cadre sql.NullInt64
	err := db.w.QueryRowContext(ctx, `INSERT INTO identities (platform, user_id, name, first_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (platform, user_id) DO UPDATE SET name = identities.name RETURNING id, cadre_id, opted_out`,
		p, u.ID, u.Display(), db.Now().Unix()).Scan(&ps.ID, &cadre, &ps.OptedOut)
	if err != nil {
		return Person{}, fmt.Errorf("identity: %w", err)
	}
	ps.Cadre = cadre.Int64
	return ps, nil
}

// Identity resolves a platform user to its identity id, creating it if needed.
func (db *DB) Identity(ctx context.Context, p bot.Platform, u bot.User) (int64, error) {
	ps, err := db.Person(ctx, p, u)
	return ps.ID, err
}

// IdentityName returns an identity's current name ("" when erased).
func (db *DB) IdentityName(ctx context.Context, id int64) (string, error) {
	var n string
	err := db.r.QueryRowContext(ctx, `SELECT name FROM identities WHERE id = ?`, id).Scan(&n)
	return n, err
}

// CadreContact returns a chat identity bound to a cadre on a platform, to reach them privately.
func (db *DB) CadreContact(ctx context.Context, cadre int64, p bot.Platform) (bot.User, bool, error) {
	var u bot.User
	err := db.r.QueryRowContext(ctx, `SELECT user_id, name FROM identities WHERE cadre_id = ? AND platform = ? ORDER BY id LIMIT 1`,
		cadre, p).Scan(&u.ID, &u.Name)
	if err == sql.ErrNoRows {
		return u, false, nil
	}
	if err != nil {
		return u, false, fmt.Errorf("cadre contact: %w", err)
	}
	return u, true, nil
}

// BindIdentity binds a platform user to a cadre directly (the console, the CLI, imports), without
// a one-time code.
func (db *DB) BindIdentity(ctx context.Context, p bot.Platform, u bot.User, cadre int64) (int64, error) {
	id, err := db.Identity(ctx, p, u)
	if err != nil {
		return 0, err
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE identities SET cadre_id = ? WHERE id = ?`, cadre, id); err != nil {
		return 0, fmt.Errorf("bind identity: %w", err)
	}
	db.forget(id)
	return id, nil
}

// SyncMembers records a group's member list as a platform reports it (QQ roster sync): the
// group, each member's identity and current name (a rename keeps the old name in the history, as
// ingest's does), and their membership.
func (db *DB) SyncMembers(ctx context.Context, p bot.Platform, chatID, name string, members []bot.User) error {
	now := db.Now()
	var renamed []renaming
	err := db.tx(ctx, func(tx *sql.Tx) error {
		renamed = renamed[:0]
		var gid int64
		err := tx.QueryRowContext(ctx, `INSERT INTO groups (platform, chat_id, name, first_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (platform, chat_id) DO UPDATE SET name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE groups.name END
			RETURNING id`, p, chatID, name, now.Unix()).Scan(&gid)
		if err != nil {
			return fmt.Errorf("sync group: %w", err)
		}
		for _, u := range members {
			if u.ID == "" {
				continue
			}
			var id int64
			var was string
			var out bool
			if err := tx.QueryRowContext(ctx, `INSERT INTO identities (platform, user_id, name, first_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (platform, user_id) DO UPDATE SET platform = excluded.platform
				RETURNING id, name, opted_out <> 0`, p, u.ID, u.Display(), now.Unix()).Scan(&id, &was, &out); err != nil {
				return fmt.Errorf("sync member: %w", err)
			}
			if renames(u.Display(), u.ID, was) && !out {
				if err := rename(ctx, tx, id, u.Display(), now.Unix()); err != nil {
					return err
				}
				renamed = append(renamed, renaming{chatKey{p, u.ID}, id, u.Display()})
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, identity_id, first_at) VALUES (?, ?, ?)
				ON CONFLICT (group_id, identity_id) DO UPDATE SET left_at = NULL WHERE group_members.left_at IS NOT NULL`, gid, id, now.Unix()); err != nil {
				return fmt.Errorf("sync membership: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	db.mu.Lock()
	for _, r := range renamed {
		if i := db.byID[r.id]; i != nil { // the cache holds the old name
			c := i.renamed(r.name)
			db.idents[r.key], db.byID[r.id] = c, c
		}
	}
	db.mu.Unlock()
	return nil
}

// renaming is an identity a roster sync renamed.
type renaming struct {
	key  chatKey
	id   int64
	name string
}

// PurgeText removes the text of messages sent before the cutoff, and of questions settled
// before it, keeping every count: the retention rule for youths' words. It reports how many
// messages lost their text.
func (db *DB) PurgeText(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET text = NULL WHERE sent_at < ? AND text IS NOT NULL`, before.Unix())
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = tx.ExecContext(ctx, `UPDATE questions SET text = '', answer = '' WHERE asked_at < ? AND status <> 'open' AND text <> ''`, before.Unix())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge old text: %w", err)
	}
	return n, nil
}
