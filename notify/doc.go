// Package notify sends messages — in practice the weekly digest — to committees outside the chat
// platforms the bot lives on: the group robots of WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书),
// and a plain directory of files.
//
// Every destination is a Robot. The webhook robots build the platform's JSON payload, sign it when
// a secret is configured, keep to the platform's rate limit of 20 messages a minute, split a
// message that is too long into numbered parts on UTF-8 (preferably line) boundaries, retry what
// the platform says is temporary and give up at once on what it says is final. Keys and secrets
// are passed in by the caller, which reads them from the environment variables its config names.
//
// Size limits used (bytes of message content):
//
//	WeCom     text 2048, markdown 4096 (the documented limits)
//	DingTalk  20000 (documented as about 20000 bytes)
//	Feishu    18000 (Feishu documents a 20 KB limit on the request body; 18000 bytes of content
//	          leaves room for the JSON envelope and the signature)
package notify
