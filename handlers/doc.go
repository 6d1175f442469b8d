// Package handlers answers chat commands in Chinese (/帮助, /绑定, /登记本群, /台账, /排行,
// /活动, /见面, /话题, /问, /答, /待办, /退出统计, /删除我的数据), introduces the bot to new
// groups, and takes youths' questions to the Q&A engine or hands them to their cadre.
//
// It declares the small interfaces it needs from storage and the Q&A engine; main wires them.
package handlers
