// Package record compiles contact records (联系台账) from the rollup facts storage keeps:
// coverage against the target, points, quarterly "five ones" plan progress, ranks, and the honor
// roll (光荣榜) and needs-effort list (加油榜), each entry with the reason it is there.
package record
