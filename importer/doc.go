// Package importer backfills records from chat histories exported by hand, so that a group's
// contact record continues when a bot account is lost (DESIGN.md, flow 6).
//
// Two formats are read:
//
//   - ParseQQText: the TXT file of PC QQ's message manager (消息管理器 → 导出消息记录 → 文本文件).
//   - ParseWeChatCSV: the per-chat CSV written by WeChatMsg (留痕, github.com/LC044/WeChatMsg),
//     header localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,
//     NickName,Sender.
//
// Both return bot.Event values for one group (ChatKind group, ChatID and ChatName the group name
// the caller gives, Platform left for the caller to set) and a Report that says how many lines
// were read, what was skipped or repaired and why (with line numbers), and which names each member
// id showed. Message ids are deterministic, so importing the same file twice yields the same
// events and the store's dedupe drops the second copy. Times are in Asia/Shanghai.
//
// Parsers never panic on hostile input: invalid UTF-8 is replaced and reported, overlong lines are
// cut and reported, lines that are not messages are skipped and reported.
package importer
