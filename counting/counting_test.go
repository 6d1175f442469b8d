package counting

import (
	"reflect"
	"testing"
)

func TestInteractions(t *testing.T) {
	cadre := Party{ID: 1, Cadre: 100}
	cadre2 := Party{ID: 2, Cadre: 200}
	youth := Party{ID: 10}
	youth2 := Party{ID: 11}
	out := Party{ID: 12, OptedOut: true}
	tests := []struct {
		name string
		msg  Message
		want []Pair
	}{
		{"sharing a group is not contact", Message{Group: true, Sender: youth}, nil},
		{"cadre posts to the group without naming anyone", Message{Group: true, Sender: cadre}, nil},
		{"cadre @ youth", Message{Group: true, Sender: cadre, Mentions: []Party{youth}}, []Pair{{100, 10, Mention}}},
		{"cadre @ two youths", Message{Group: true, Sender: cadre, Mentions: []Party{youth, youth2}},
			[]Pair{{100, 10, Mention}, {100, 11, Mention}}},
		{"cadre replies to youth", Message{Group: true, Sender: cadre, ReplyTo: youth}, []Pair{{100, 10, Reply}}},
		{"reply and @ of one youth count once", Message{Group: true, Sender: cadre, ReplyTo: youth, Mentions: []Party{youth}},
			[]Pair{{100, 10, Reply}}},
		{"youth @ cadre", Message{Group: true, Sender: youth, Mentions: []Party{cadre}}, []Pair{{100, 10, Mention}}},
		{"youth quotes cadre", Message{Group: true, Sender: youth, ReplyTo: cadre}, []Pair{{100, 10, Reply}}},
		{"youth @ two cadres", Message{Group: true, Sender: youth, Mentions: []Party{cadre, cadre2}},
			[]Pair{{100, 10, Mention}, {200, 10, Mention}}},
		{"youth to youth is not contact", Message{Group: true, Sender: youth, Mentions: []Party{youth2}, ReplyTo: youth2}, nil},
		{"cadre to cadre is not contact", Message{Group: true, Sender: cadre, Mentions: []Party{cadre2}}, nil},
		{"cadre @ self is nothing", Message{Group: true, Sender: cadre, Mentions: []Party{cadre}}, nil},
		{"opted-out youth @ cadre is not counted", Message{Group: true, Sender: out, Mentions: []Party{cadre}}, nil},
		{"cadre @ opted-out youth is not counted", Message{Group: true, Sender: cadre, Mentions: []Party{out, youth}},
			[]Pair{{100, 10, Mention}}},
		{"unknown quoted author", Message{Group: true, Sender: cadre, ReplyTo: Party{}}, nil},
		{"private with a cadre's own account", Message{Sender: youth, Owner: 100}, []Pair{{100, 10, Private}}},
		{"private with nobody's bot account", Message{Sender: youth}, nil},
		{"owner writes to a youth in private", Message{Sender: cadre, Owner: 100, Peer: youth}, []Pair{{100, 10, Private}}},
		{"opted-out youth in private", Message{Sender: out, Owner: 100}, nil},
		{"a command that @s a youth is not contact itself", Message{Group: true, Sender: cadre, Mentions: []Party{youth}, Command: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Interactions(tt.msg); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Interactions = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPoints(t *testing.T) {
	w := DefaultWeights()
	tests := []struct {
		name   string
		days   []DayCount
		total  int
		byKind map[Kind]int
	}{
		{"nothing", nil, 0, map[Kind]int{}},
		{"three youths mentioned", []DayCount{{"2026-11-02", Mention, 3}}, 3, map[Kind]int{Mention: 3}},
		// 50 youths @-mentioned in one day: 50 points uncapped, the cap holds it at 10.
		{"daily cap", []DayCount{{"2026-11-02", Mention, 50}}, 10, map[Kind]int{Mention: 10}},
		{"cap is per day", []DayCount{{"2026-11-02", Mention, 50}, {"2026-11-03", Mention, 50}}, 20, map[Kind]int{Mention: 20}},
		{"face to face weighs more", []DayCount{{"2026-11-02", FaceToFace, 1}, {"2026-11-02", Reply, 2}}, 12,
			map[Kind]int{FaceToFace: 10, Reply: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total, by := w.Points(tt.days)
			if total != tt.total || !reflect.DeepEqual(by, tt.byKind) {
				t.Fatalf("Points = %d %v, want %d %v", total, by, tt.total, tt.byKind)
			}
		})
	}
}
