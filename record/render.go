package record

import (
	"fmt"
	"strings"

	"youthlink/counting"
)

// KindNames are the Chinese names of cadre kinds.
var KindNames = map[string]string{
	"full_time": "专职", "seconded": "挂职", "leader_part_time": "领导机关兼职", "part_time": "兼职",
}

// ActivityNames are the Chinese names of activity kinds.
var ActivityNames = map[string]string{"offline": "线下活动", "online": "线上活动", "face_to_face": "面对面交流"}

// Text renders a record for a chat: short lines, every figure with what it counts.
func Text(r *Record) string {
	var b strings.Builder
	f := r.Facts
	fmt.Fprintf(&b, "【联系台账】%s（%s，%s）%s\n", r.Cadre.Name, r.Committee, KindNames[r.Cadre.Kind], r.Span.Name)
	fmt.Fprintf(&b, "直接联系青年：%d / 目标 %d 人，覆盖率 %d%%\n", f.Reached, r.Cadre.Target, r.Coverage)
	fmt.Fprintf(&b, "名册青年：%d 人（所在群成员与手工登记）\n", f.Roster)
	b.WriteString("互动：")
	var parts []string
	for _, k := range counting.Kinds {
		if n := f.ByKind[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k.Label(), n))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "暂无（在群里 @青年、回复或引用青年的消息都算直接互动）")
	}
	b.WriteString(strings.Join(parts, "，") + "\n")
	fmt.Fprintf(&b, "活动：线下 %d 次，线上 %d 次，面对面交流 %d 人\n", f.Activities["offline"], f.Activities["online"], f.FaceToFace)
	fmt.Fprintf(&b, "话题：发起 #话题# %d 次\n", f.TagPosts)
	fmt.Fprintf(&b, "积分：%d", r.Points)
	if len(r.PointsByKind) > 0 {
		var ps []string
		for _, k := range counting.Kinds {
			if n := r.PointsByKind[k]; n > 0 {
				ps = append(ps, fmt.Sprintf("%s %d", k.Label(), n))
			}
		}
		if len(ps) > 0 {
			b.WriteString("（" + strings.Join(ps, "，") + "）")
		}
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "排名：本单位 %d/%d，全部 %d/%d\n", r.RankUnit, r.UnitSize, r.RankAll, r.AllSize)
	if len(r.Plan) > 0 {
		b.WriteString("季度“五个一”：\n")
		for _, p := range r.Plan {
			b.WriteString("  " + p.String() + "\n")
		}
	}
	if f.OpenQuestions > 0 {
		fmt.Fprintf(&b, "待答复提问：%d 条（发送 /待办 查看）\n", f.OpenQuestions)
	}
	return strings.TrimRight(b.String(), "\n")
}

// ListText renders the honor roll and the needs-effort list of a committee for a chat.
func ListText(title string, honor, needs []Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【%s】\n光荣榜：\n", title)
	if len(honor) == 0 {
		b.WriteString("  暂无（还没有人获得积分）\n")
	}
	for _, e := range honor {
		fmt.Fprintf(&b, "  %d. %s（%s）：%s\n", e.Place, e.Record.Cadre.Name, e.Record.Committee, strings.Join(e.Reasons, "，"))
	}
	// The two lists answer different questions: the honor roll ranks points, the needs-effort
	// list checks coverage and plan progress, so a cadre can be on both.
	b.WriteString("加油榜（看联系覆盖率和季度“五个一”进度，不看积分，所以光荣榜上的人也可能在这里）：\n")
	if len(needs) == 0 {
		b.WriteString("  暂无，大家都跟上了进度\n")
	}
	for _, e := range needs {
		fmt.Fprintf(&b, "  · %s（%s）：%s\n", e.Record.Cadre.Name, e.Record.Committee, strings.Join(e.Reasons, "；"))
	}
	return strings.TrimRight(b.String(), "\n")
}
