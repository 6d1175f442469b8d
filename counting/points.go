package counting

// Weights are points per interaction kind, with a daily cap per kind.
type Weights struct {
	Per map[Kind]int // points per distinct youth reached that day by that kind
	Cap map[Kind]int // at most this many points per day for that kind (0: no cap)
}

// DefaultWeights favour offline and face-to-face contact over chat, and cap chat so that
// spamming @-mentions does not pay.
func DefaultWeights() Weights {
	return Weights{
		Per: map[Kind]int{Mention: 1, Reply: 1, Private: 2, Answer: 3, Activity: 5, FaceToFace: 10},
		Cap: map[Kind]int{Mention: 10, Reply: 10, Private: 20, Answer: 30, Activity: 50, FaceToFace: 50},
	}
}

// DayCount is how many distinct youths a cadre reached on one day by one kind.
type DayCount struct {
	Day    string
	Kind   Kind
	Youths int
}

// Points adds up a cadre's points: each day, each kind earns its weight once per distinct youth
// (50 @-mentions of one youth count once), capped per day. It returns the total and the points
// by kind, so a record can say where they came from.
func (w Weights) Points(days []DayCount) (total int, byKind map[Kind]int) {
	byKind = map[Kind]int{}
	for _, d := range days {
		p := w.Per[d.Kind] * d.Youths
		if c := w.Cap[d.Kind]; c > 0 && p > c {
			p = c
		}
		byKind[d.Kind] += p
		total += p
	}
	return total, byKind
}
