package counting

// Kind is the kind of a direct interaction.
type Kind string

// Interaction kinds. Each names how a cadre and a youth were in direct contact.
const (
	Mention    Kind = "mention"      // one @-mentioned the other
	Reply      Kind = "reply"        // one replied to or quoted the other
	Private    Kind = "private"      // a private-chat exchange
	Answer     Kind = "answer"       // the cadre answered the youth's escalated question
	Activity   Kind = "activity"     // the youth took part in an activity the cadre logged
	FaceToFace Kind = "face_to_face" // the cadre logged a face-to-face talk with the youth
)

// Kinds lists every kind in display order.
var Kinds = []Kind{Mention, Reply, Private, Answer, Activity, FaceToFace}

// Label is the Chinese name of a kind.
func (k Kind) Label() string {
	switch k {
	case Mention:
		return "@互动"
	case Reply:
		return "回复/引用"
	case Private:
		return "私聊"
	case Answer:
		return "答复提问"
	case Activity:
		return "活动参与"
	case FaceToFace:
		return "面对面交流"
	}
	return string(k)
}

// Party is one person in a message: their identity and, for a cadre, the cadre they are bound to.
type Party struct {
	ID       int64 // identity id; 0 means unknown
	Cadre    int64 // bound cadre id; 0 for a youth
	OptedOut bool  // left the statistics: never counted
}

func (p Party) youth() bool { return p.ID != 0 && p.Cadre == 0 && !p.OptedOut }

// Message is what the rules need to know about one chat message.
type Message struct {
	Group    bool    // a group chat (else private)
	Sender   Party   // who sent it
	Mentions []Party // who it @-mentions (never @all, never the bot)
	ReplyTo  Party   // author of the quoted message, ID 0 if none
	// Owner is the cadre who owns the bot account of a private chat (a cadre's own WeChat), 0 if
	// the account is nobody's: then a private chat with the bot is no contact with a cadre.
	Owner int64
	// Peer is, for a message the owner sent in a private chat, the youth it went to.
	Peer Party
	// Command marks a command to the bot (/活动 @张三 …): it is not contact in itself; what it
	// logs (an activity, a talk, an answer) is counted by the command.
	Command bool
}

// Pair is one direct interaction found in a message.
type Pair struct {
	Cadre int64 // cadre id
	Youth int64 // identity id of the youth
	Kind  Kind
}

// Interactions applies the rules of DESIGN.md to one message. A message yields at most one
// interaction per cadre–youth pair (a reply that also @-mentions counts once, as a reply). Merely
// sharing a group is not contact; youth-to-youth and cadre-to-cadre messages count nothing; an
// opted-out youth is never counted.
func Interactions(m Message) []Pair {
	if m.Command {
		return nil
	}
	var out []Pair
	add := func(cadre int64, youth Party, k Kind) {
		if cadre == 0 || !youth.youth() {
			return
		}
		for _, p := range out {
			if p.Cadre == cadre && p.Youth == youth.ID {
				return
			}
		}
		out = append(out, Pair{Cadre: cadre, Youth: youth.ID, Kind: k})
	}
	if !m.Group {
		switch {
		case m.Sender.youth():
			add(m.Owner, m.Sender, Private)
		case m.Sender.Cadre != 0 && m.Sender.Cadre == m.Owner:
			add(m.Owner, m.Peer, Private)
		}
		return out
	}
	if m.Sender.OptedOut {
		return nil
	}
	if c := m.Sender.Cadre; c != 0 { // a cadre speaks to youths
		add(c, m.ReplyTo, Reply)
		for _, y := range m.Mentions {
			add(c, y, Mention)
		}
		return out
	}
	if m.Sender.youth() { // a youth speaks to cadres
		add(m.ReplyTo.Cadre, m.Sender, Reply)
		for _, c := range m.Mentions {
			add(c.Cadre, m.Sender, Mention)
		}
	}
	return out
}
