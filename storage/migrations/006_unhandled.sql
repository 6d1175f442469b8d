-- Events the engine committed for its handlers (commands, mentions of the bot, private messages,
-- quotes, notices), each kept in the transaction that stores it and removed once its handler has
-- run: after a crash the engine hands what is left to the handlers again.
CREATE TABLE unhandled (
  message_id INTEGER PRIMARY KEY,
  event      TEXT NOT NULL,
  stored     TEXT NOT NULL,
  at         INTEGER NOT NULL
);
