-- Events committed for handling and not yet handled (see migrations/006_unhandled.sql).
CREATE TABLE unhandled (
  message_id BIGINT PRIMARY KEY,
  event      TEXT NOT NULL,
  stored     TEXT NOT NULL,
  at         BIGINT NOT NULL
);
