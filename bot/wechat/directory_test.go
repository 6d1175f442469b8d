package wechat

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMemberMatching(t *testing.T) {
	ctx := context.Background()
	zs := Seen{Nick: "张三", Card: "三哥", Avatar: "101"}
	tests := []struct {
		name string
		seen Seen
		same bool // same identity as zs
	}{
		{"same", zs, true},
		{"card renamed, same avatar", Seen{Nick: "张三", Card: "团支书张三", Avatar: "101"}, true},
		{"nickname renamed, same avatar and card", Seen{Nick: "张老三", Card: "三哥", Avatar: "101"}, true},
		{"both renamed", Seen{Nick: "老张", Card: "支书", Avatar: "101"}, false},
		{"same names, other avatar", Seen{Nick: "张三", Card: "三哥", Avatar: "999"}, false},
		{"same names, avatar unknown", Seen{Nick: "张三", Card: "三哥"}, true},
		{"other person", Seen{Nick: "李四", Avatar: "102"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewMemDirectory()
			id, err := d.Member(ctx, "g", zs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.Member(ctx, "g", tt.seen)
			if err != nil {
				t.Fatal(err)
			}
			if same := got == id; same != tt.same {
				t.Fatalf("same identity = %v, want %v", same, tt.same)
			}
		})
	}
}

func TestMemberFollowsRenameAndAmbiguity(t *testing.T) {
	ctx := context.Background()
	d := NewMemDirectory()
	id, _ := d.Member(ctx, "g", Seen{Nick: "张三", Card: "三哥", Avatar: "101"})
	// Card changes, then the nickname: each step keeps the avatar and one name.
	if got, _ := d.Member(ctx, "g", Seen{Nick: "张三", Card: "支书", Avatar: "101"}); got != id {
		t.Fatalf("card rename lost the identity")
	}
	if got, _ := d.Member(ctx, "g", Seen{Nick: "老张", Card: "支书", Avatar: "101"}); got != id {
		t.Fatalf("nickname rename lost the identity")
	}
	// Other groups are other scopes.
	if got, _ := d.Member(ctx, "h", Seen{Nick: "老张", Card: "支书", Avatar: "101"}); got == id {
		t.Fatalf("identity leaked across groups")
	}
	// Two 小明 with avatars: a sighting without avatar cannot tell them apart, so it gets its own id.
	a, _ := d.Member(ctx, "g", Seen{Nick: "小明", Avatar: "201"})
	b, _ := d.Member(ctx, "g", Seen{Nick: "小明", Avatar: "202"})
	c, _ := d.Member(ctx, "g", Seen{Nick: "小明"})
	if a == b || c == a || c == b {
		t.Fatalf("ids a=%s b=%s c=%s: two people merged", a, b, c)
	}
	// A cadre merges c into a: c's sightings now answer a.
	if err := d.Merge(ctx, a, c); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Member(ctx, "g", Seen{Nick: "小明", Avatar: "201"}); got != a {
		t.Fatalf("after merge got %s, want %s", got, a)
	}
}

func TestFileDirectoryPersistsGroupsAndRenames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "dir.json")
	d, err := OpenFileDirectory(path)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := d.Group(ctx, "青年之家")
	if err := d.RenameGroup(ctx, key, "青年之家2群"); err != nil {
		t.Fatal(err)
	}
	id, _ := d.Member(ctx, key, Seen{Nick: "张三", Avatar: "101"})
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Fatalf("mode %v, want %v", got, want)
	}
	d2, err := OpenFileDirectory(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := d2.Group(ctx, "青年之家2群"); got != key {
		t.Fatalf("renamed group key %q, want %q", got, key)
	}
	if got, _ := d2.GroupName(ctx, key); got != "青年之家2群" {
		t.Fatalf("name %q", got)
	}
	if got, _ := d2.Group(ctx, "青年之家"); got == key {
		t.Fatalf("old name still maps to the renamed group")
	}
	if got, _ := d2.Member(ctx, key, Seen{Nick: "张三", Avatar: "101"}); got != id {
		t.Fatalf("member id %q, want %q", got, id)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		key  string // "" for valid
	}{
		{"defaults", func(c *Config) {}, ""},
		{"disabled skips checks", func(c *Config) { c.Enabled = false; c.SplitRunes = -1 }, ""},
		{"split too small", func(c *Config) { c.SplitRunes = 10 }, "split_runes"},
		{"bad webhook", func(c *Config) { c.QRWebhook = "ftp://x" }, "qr_webhook"},
		{"negative per chat", func(c *Config) { c.Limits.PerChat = -1 }, "limits.per_chat"},
		{"max below min", func(c *Config) { c.Reconnect = Backoff{Min: 10, Max: 5} }, "reconnect.max"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Enabled = true
			tt.edit(&c)
			err := c.Validate()
			if tt.key == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), "platforms.wechat."+tt.key+"：") {
				t.Fatalf("Validate() = %v, want key %s", err, tt.key)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	b := Backoff{Min: 1, Max: 5}
	var got []int
	d := b.Next(0)
	for range 5 {
		got = append(got, int(d))
		d = b.Next(d)
	}
	if want := []int{1, 2, 4, 5, 5}; !slices.Equal(got, want) {
		t.Fatalf("backoff %v, want %v", got, want)
	}
}
