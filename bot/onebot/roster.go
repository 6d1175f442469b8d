package onebot

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"youthlink/bot"
)

// Member is one group member as get_group_member_list reports them.
type Member struct {
	bot.User
	Role string // owner, admin or member
}

// RosterSink receives group rosters: on connect, then every Config.RosterInterval, and when a
// group is first seen. members is the whole current list of the group.
type RosterSink interface {
	Members(ctx context.Context, account, groupID, groupName string, members []Member) error
}

// roster caches member names per account and group, to name @-mentioned members, and the groups
// each account has seen.
type roster struct {
	mu      sync.RWMutex
	members map[string]Member          // account\x00group\x00user
	groups  map[string]string          // account\x00group → group name
	seen    map[string]map[string]bool // account → group ids
}

func newRoster() *roster {
	return &roster{members: map[string]Member{}, groups: map[string]string{}, seen: map[string]map[string]bool{}}
}

func rkey(parts ...string) string {
	k := parts[0]
	for _, p := range parts[1:] {
		k += "\x00" + p
	}
	return k
}

// member returns what is known of a member; at least the id.
func (r *roster) member(account, group, user string) bot.User {
	r.mu.RLock()
	m, ok := r.members[rkey(account, group, user)]
	r.mu.RUnlock()
	if !ok {
		return bot.User{ID: user}
	}
	return m.User
}

func (r *roster) groupName(account, group string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.groups[rkey(account, group)]
}

// learn records a member's names as an event shows them.
func (r *roster) learn(account, group string, u bot.User, role string) {
	k := rkey(account, group, u.ID)
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.members[k]
	m.ID = u.ID
	if u.Name != "" {
		m.Name = u.Name
	}
	m.Card = u.Card
	if role != "" {
		m.Role = role
	}
	r.members[k] = m
}

func (r *roster) forget(account, group, user string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.members, rkey(account, group, user))
}

// see notes that account saw group and reports whether it is the first time.
func (r *roster) see(account, group string) bool {
	r.mu.RLock()
	ok := r.seen[account][group]
	r.mu.RUnlock()
	if ok {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[account] == nil {
		r.seen[account] = map[string]bool{}
	}
	if r.seen[account][group] {
		return false
	}
	r.seen[account][group] = true
	return true
}

func (r *roster) seenGroups(account string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.seen[account]))
}

// replace sets a group's whole member list and name.
func (r *roster) replace(account, group, name string, ms []Member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	prefix := rkey(account, group, "")
	for k := range r.members {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			delete(r.members, k)
		}
	}
	for _, m := range ms {
		r.members[prefix+m.ID] = m
	}
	if name != "" {
		r.groups[rkey(account, group)] = name
	}
}

// rosterLoop syncs every group of an account on connect and then every interval, until ctx
// (the connection's) ends.
func (a *Adapter) rosterLoop(ctx context.Context, cn Conn, self string, c caller) {
	t := time.NewTicker(a.cfg.RosterInterval)
	defer t.Stop()
	for {
		a.syncAccount(ctx, cn, self, c)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// syncAccount fetches the roster of each group the account is in (get_group_list), has seen, or
// is configured with.
func (a *Adapter) syncAccount(ctx context.Context, cn Conn, self string, c caller) {
	names := map[string]string{}
	for _, g := range cn.Groups {
		names[g] = ""
	}
	for _, g := range a.roster.seenGroups(self) {
		names[g] = ""
	}
	data, err := c.call(ctx, "get_group_list", map[string]any{})
	if err == nil {
		var gs []struct {
			GroupID   id     `json:"group_id"`
			GroupName string `json:"group_name"`
		}
		if err := json.Unmarshal(data, &gs); err != nil {
			a.log.Warn("onebot: bad get_group_list reply", "conn", cn.Name, "account", self, "err", err)
		}
		for _, g := range gs {
			if g.GroupID != "" {
				names[string(g.GroupID)] = g.GroupName
			}
		}
	} else if ctx.Err() == nil {
		a.log.Warn("onebot: get_group_list failed", "conn", cn.Name, "account", self, "err", err)
	}
	for _, g := range slices.Sorted(maps.Keys(names)) {
		if ctx.Err() != nil {
			return
		}
		if err := a.syncGroup(ctx, self, g, names[g], c); err != nil && ctx.Err() == nil {
			a.log.Warn("onebot: roster sync failed", "conn", cn.Name, "account", self, "group", g, "err", err)
		}
	}
}

// syncGroup fetches one group's members, caches them and hands them to the RosterSink.
func (a *Adapter) syncGroup(ctx context.Context, self, group, name string, c caller) error {
	gid, err := strconv.ParseInt(group, 10, 64)
	if err != nil {
		return fmt.Errorf("group id %q: %w", group, err)
	}
	if name == "" {
		if data, err := c.call(ctx, "get_group_info", map[string]any{"group_id": gid}); err == nil {
			var gi struct {
				GroupName string `json:"group_name"`
			}
			if json.Unmarshal(data, &gi) == nil {
				name = gi.GroupName
			}
		}
	}
	data, err := c.call(ctx, "get_group_member_list", map[string]any{"group_id": gid})
	if err != nil {
		return err
	}
	var raw []struct {
		UserID   id     `json:"user_id"`
		Nickname string `json:"nickname"`
		Card     string `json:"card"`
		Role     string `json:"role"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("get_group_member_list reply: %w", err)
	}
	ms := make([]Member, 0, len(raw))
	for _, m := range raw {
		if m.UserID == "" {
			continue
		}
		ms = append(ms, Member{User: bot.User{ID: string(m.UserID), Name: m.Nickname, Card: m.Card}, Role: m.Role})
	}
	a.roster.replace(self, group, name, ms)
	a.log.Info("onebot: roster synced", "account", self, "group", group, "members", len(ms))
	if a.rosterSink == nil {
		return nil
	}
	if err := a.rosterSink.Members(ctx, self, group, name, ms); err != nil {
		return fmt.Errorf("roster sink: %w", err)
	}
	return nil
}

func (r *roster) seenBy(account, group string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.seen[account][group]
}
