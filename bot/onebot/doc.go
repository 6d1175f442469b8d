// Package onebot is YouthLink's QQ adapter. It speaks OneBot v11, the protocol of NapCat,
// Lagrange.OneBot and LLOneBot, in its three connection modes:
//
//   - reverse-ws: YouthLink listens and the OneBot implementation dials in, either on one
//     Universal socket or on an API socket and an Event socket told apart by X-Client-Role;
//   - forward-ws: YouthLink dials the implementation's WebSocket server (/ or /api + /event) and
//     reconnects with backoff when the connection drops;
//   - http: the implementation POSTs events to YouthLink (signed with X-Signature when a secret is
//     set) and YouthLink calls its HTTP API for actions.
//
// Several connections, and so several QQ accounts, can run at once. Each event carries the bot's
// QQ number (self_id) in bot.Event.Account, and Send routes by bot.Chat.Account.
//
// Messages arrive as segment arrays or CQ strings; both forms decode to the same bot.Event.
// Group rosters are fetched with get_group_member_list on connect and then periodically, handed to
// a RosterSink the caller provides, and kept to name @-mentioned members.
//
// A config.yaml section it reads (tokens and secrets come from the environment variables named):
//
//	platforms:
//	  onebot:
//	    roster_interval: 24h
//	    connections:
//	      - name: napcat
//	        mode: reverse-ws          # NapCat/Lagrange dial ws://127.0.0.1:8080/onebot/v11/ws
//	        listen: 127.0.0.1:8080
//	        token_env: YOUTHLINK_QQ_TOKEN
//	        send_per_minute: 20
//
// Wiring in main:
//
//	cfg.Resolve(os.LookupEnv)
//	qq, err := onebot.New(cfg, onebot.WithLogger(log), onebot.WithRoster(store))
//	go qq.Run(ctx, engine)
//
// Limits: one http-mode connection serves one account (the one its HTTP API reports); OneBot
// v11 fixes no retcode for rate limiting, so ActionError recognises it by retcode 429 or the
// wording implementations use.
package onebot
