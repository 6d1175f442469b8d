package wechat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Seen is how a member appears in one message: what the directory matches on.
type Seen struct {
	Nick   string // nickname
	Card   string // group card (群名片), empty in private chats
	Avatar string // openwechat's User.AvatarID(): Uin, or the seq of the avatar URL
}

// Directory keeps WeChat identities stable across logins. Group keys follow renames; member ids
// follow nickname or card changes when the avatar id still matches. The core team may back it with
// SQLite; MemDirectory and FileDirectory ship here.
type Directory interface {
	// Group returns the key of the group called name, making one if the name is new.
	Group(ctx context.Context, name string) (key string, err error)
	// GroupName returns the group's current name, or "" if the key is unknown.
	GroupName(ctx context.Context, key string) (name string, err error)
	// RenameGroup records that the group key is now called name.
	RenameGroup(ctx context.Context, key, name string) error
	// Member returns the stable id of the member seen in the group (groupKey "" for friends).
	Member(ctx context.Context, groupKey string, s Seen) (id string, err error)
	// Merge makes dropID an alias of keepID, for a cadre who knows they are one person.
	Merge(ctx context.Context, keepID, dropID string) error
}

// dirData is the directory's whole state, as kept in memory and in the JSON file.
type dirData struct {
	Groups  map[string]string  `json:"groups"`  // name → key
	Names   map[string]string  `json:"names"`   // key → current name
	Members map[string][]entry `json:"members"` // group key → members seen there
	Aliases map[string]string  `json:"aliases"` // dropped id → kept id
}

type entry struct {
	ID string `json:"id"`
	Seen
}

func newDirData() *dirData {
	return &dirData{Groups: map[string]string{}, Names: map[string]string{}, Members: map[string][]entry{}, Aliases: map[string]string{}}
}

// MemDirectory is a Directory in memory, for tests and the console.
type MemDirectory struct {
	mu   sync.Mutex
	d    *dirData
	save func(*dirData) error // nil: nothing persisted
}

var _ Directory = (*MemDirectory)(nil)

// NewMemDirectory returns an empty in-memory directory.
func NewMemDirectory() *MemDirectory { return &MemDirectory{d: newDirData()} }

// FileDirectory is a MemDirectory written to a JSON file (mode 0600) after each change.
type FileDirectory struct{ MemDirectory }

// OpenFileDirectory loads the directory kept in path, or starts an empty one.
func OpenFileDirectory(path string) (*FileDirectory, error) {
	d := newDirData()
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read directory: %w", err)
	default:
		if err := json.Unmarshal(b, d); err != nil {
			return nil, fmt.Errorf("parse directory %s: %w", filepath.Base(path), err)
		}
		for _, m := range []*map[string]string{&d.Groups, &d.Names, &d.Aliases} {
			if *m == nil {
				*m = map[string]string{}
			}
		}
		if d.Members == nil {
			d.Members = map[string][]entry{}
		}
	}
	f := &FileDirectory{MemDirectory{d: d}}
	f.save = func(d *dirData) error { return writeFile0600(path, d) }
	return f, nil
}

// writeFile0600 writes v as JSON to path through a temporary file, readable by the owner only.
func writeFile0600(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("make data dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".wechat-dir-*")
	if err != nil {
		return fmt.Errorf("write directory: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write directory: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write directory: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write directory: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

func (m *MemDirectory) changed() error {
	if m.save == nil {
		return nil
	}
	return m.save(m.d)
}

func newID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Group implements Directory.
func (m *MemDirectory) Group(_ context.Context, name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.d.Groups[name]; ok {
		return k, nil
	}
	k := newID("wxg_")
	m.d.Groups[name] = k
	m.d.Names[k] = name
	return k, m.changed()
}

// GroupName implements Directory.
func (m *MemDirectory) GroupName(_ context.Context, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.d.Names[key], nil
}

// RenameGroup implements Directory. The old name is forgotten: a new group that takes it gets a
// new key.
func (m *MemDirectory) RenameGroup(_ context.Context, key, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.d.Names[key]
	if !ok {
		return fmt.Errorf("rename group: unknown key %q", key)
	}
	if old == name {
		return nil
	}
	if m.d.Groups[old] == key {
		delete(m.d.Groups, old)
	}
	m.d.Groups[name] = key
	m.d.Names[key] = name
	return m.changed()
}

// Member implements Directory. It matches, in order: the same nickname, card and avatar id; the
// same non-empty avatar id with the same nickname or card (a rename: the record follows it); the
// same nickname and card where either avatar id is unknown. Only a single candidate matches:
// when two fit equally, or nothing does, a new identity is made.
func (m *MemDirectory) Member(_ context.Context, groupKey string, s Seen) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	list := m.d.Members[groupKey]
	pick := func(match func(e entry) bool) (int, bool) {
		found := -1
		for i, e := range list {
			if match(e) {
				if found >= 0 && m.resolve(list[found].ID) != m.resolve(e.ID) {
					return -1, true // ambiguous
				}
				found = i
			}
		}
		return found, false
	}
	rules := []func(e entry) bool{
		func(e entry) bool { return e.Seen == s },
		func(e entry) bool {
			return s.Avatar != "" && e.Avatar == s.Avatar && (e.Nick == s.Nick || (s.Card != "" && e.Card == s.Card))
		},
		func(e entry) bool {
			return (s.Avatar == "" || e.Avatar == "") && e.Nick == s.Nick && e.Card == s.Card
		},
	}
	for _, rule := range rules {
		i, ambiguous := pick(rule)
		if ambiguous {
			break
		}
		if i < 0 {
			continue
		}
		e := list[i]
		if e.Seen != s {
			if s.Avatar == "" {
				s.Avatar = e.Avatar
			}
			list[i].Seen = s
			if err := m.changed(); err != nil {
				return "", err
			}
		}
		return m.resolve(e.ID), nil
	}
	id := newID("wxu_")
	m.d.Members[groupKey] = append(list, entry{ID: id, Seen: s})
	return id, m.changed()
}

// resolve follows merges to the kept id.
func (m *MemDirectory) resolve(id string) string {
	for range 16 {
		next, ok := m.d.Aliases[id]
		if !ok {
			break
		}
		id = next
	}
	return id
}

// Merge implements Directory.
func (m *MemDirectory) Merge(_ context.Context, keepID, dropID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	keep, drop := m.resolve(keepID), m.resolve(dropID)
	if keep == drop {
		return nil
	}
	m.d.Aliases[drop] = keep
	return m.changed()
}
