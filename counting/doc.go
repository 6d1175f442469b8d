// Package counting holds the counting rules of the "1+100" contact record as pure functions, so
// that each can be read, tested and explained on its own: which message is a direct interaction
// between which cadre and which youth, and how interactions turn into points.
package counting
