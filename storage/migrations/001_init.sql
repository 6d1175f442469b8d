-- YouthLink schema, version 1. Raw facts (messages, interactions, activities) plus rollups kept
-- at ingest (interaction_daily, member_daily, cadre_daily, topic_weekly, keyword_weekly), so that
-- records and rankings never scan raw messages. Times are Unix seconds; days are 'YYYY-MM-DD' and
-- weeks 'YYYY-Www' in Asia/Shanghai.

CREATE TABLE committees (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  parent_id  INTEGER REFERENCES committees(id),
  level      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE cadres (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  committee_id INTEGER NOT NULL REFERENCES committees(id),
  kind         TEXT NOT NULL CHECK (kind IN ('full_time','seconded','leader_part_time','part_time')),
  target       INTEGER NOT NULL CHECK (target > 0),
  created_at   INTEGER NOT NULL
);

CREATE TABLE bind_codes (
  code       TEXT PRIMARY KEY,
  cadre_id   INTEGER NOT NULL REFERENCES cadres(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);

CREATE TABLE identities (
  id          INTEGER PRIMARY KEY,
  platform    TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  cadre_id    INTEGER REFERENCES cadres(id),
  merged_into INTEGER REFERENCES identities(id),
  opted_out   INTEGER NOT NULL DEFAULT 0,
  first_at    INTEGER NOT NULL,
  UNIQUE (platform, user_id)
);
CREATE INDEX identities_cadre ON identities(cadre_id) WHERE cadre_id IS NOT NULL;

CREATE TABLE identity_names (
  identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  first_at    INTEGER NOT NULL,
  PRIMARY KEY (identity_id, name)
);

-- accounts: a bot account that is a cadre's own (private chats with it are contact with that cadre).
CREATE TABLE accounts (
  platform TEXT NOT NULL,
  account  TEXT NOT NULL,
  cadre_id INTEGER NOT NULL REFERENCES cadres(id),
  PRIMARY KEY (platform, account)
);

CREATE TABLE groups (
  id         INTEGER PRIMARY KEY,
  platform   TEXT NOT NULL,
  chat_id    TEXT NOT NULL,
  name       TEXT NOT NULL DEFAULT '',
  cadre_id   INTEGER REFERENCES cadres(id),
  first_at   INTEGER NOT NULL,
  UNIQUE (platform, chat_id)
);

CREATE TABLE group_members (
  group_id    INTEGER NOT NULL REFERENCES groups(id),
  identity_id INTEGER NOT NULL REFERENCES identities(id),
  first_at    INTEGER NOT NULL,
  left_at     INTEGER,
  PRIMARY KEY (group_id, identity_id)
) WITHOUT ROWID;

-- roster: youths bound to a cadre by hand, beside those seen in the cadre's groups.
CREATE TABLE roster (
  cadre_id    INTEGER NOT NULL REFERENCES cadres(id),
  identity_id INTEGER NOT NULL REFERENCES identities(id),
  added_at    INTEGER NOT NULL,
  PRIMARY KEY (cadre_id, identity_id)
) WITHOUT ROWID;

CREATE TABLE messages (
  id        INTEGER PRIMARY KEY,
  platform  TEXT NOT NULL,
  chat_id   TEXT NOT NULL,
  msg_id    TEXT NOT NULL,
  group_id  INTEGER,
  sender_id INTEGER,
  kind      TEXT NOT NULL,
  text      TEXT,
  reply_to  TEXT NOT NULL DEFAULT '',
  sent_at   INTEGER NOT NULL,
  recalled  INTEGER NOT NULL DEFAULT 0,
  UNIQUE (platform, chat_id, msg_id)
);
CREATE INDEX messages_sender ON messages(sender_id);

CREATE TABLE interactions (
  id          INTEGER PRIMARY KEY,
  cadre_id    INTEGER NOT NULL,
  youth_id    INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  at          INTEGER NOT NULL,
  day         TEXT NOT NULL,
  group_id    INTEGER,
  message_id  INTEGER,
  activity_id INTEGER,
  question_id INTEGER
);
CREATE INDEX interactions_cadre_day ON interactions(cadre_id, day);
CREATE INDEX interactions_youth ON interactions(youth_id);

CREATE TABLE interaction_daily (
  cadre_id INTEGER NOT NULL,
  day      TEXT NOT NULL,
  kind     TEXT NOT NULL,
  youth_id INTEGER NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (cadre_id, day, kind, youth_id)
) WITHOUT ROWID;
CREATE INDEX interaction_daily_day ON interaction_daily(day);
CREATE INDEX interaction_daily_youth ON interaction_daily(youth_id);

CREATE TABLE member_daily (
  group_id     INTEGER NOT NULL,
  day          TEXT NOT NULL,
  identity_id  INTEGER NOT NULL,
  messages     INTEGER NOT NULL,
  interactions INTEGER NOT NULL,
  first_at     INTEGER NOT NULL,
  last_at      INTEGER NOT NULL,
  PRIMARY KEY (group_id, day, identity_id)
) WITHOUT ROWID;
CREATE INDEX member_daily_identity ON member_daily(identity_id);

CREATE TABLE cadre_daily (
  cadre_id  INTEGER NOT NULL,
  day       TEXT NOT NULL,
  messages  INTEGER NOT NULL,
  tag_posts INTEGER NOT NULL,
  PRIMARY KEY (cadre_id, day)
) WITHOUT ROWID;

CREATE TABLE topic_weekly (
  group_id INTEGER NOT NULL,
  week     TEXT NOT NULL,
  topic    TEXT NOT NULL,
  messages INTEGER NOT NULL,
  PRIMARY KEY (group_id, week, topic)
) WITHOUT ROWID;

CREATE TABLE keyword_weekly (
  group_id INTEGER NOT NULL,
  week     TEXT NOT NULL,
  word     TEXT NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (group_id, week, word)
) WITHOUT ROWID;

CREATE TABLE activities (
  id         INTEGER PRIMARY KEY,
  cadre_id   INTEGER NOT NULL REFERENCES cadres(id),
  kind       TEXT NOT NULL CHECK (kind IN ('online','offline','face_to_face')),
  title      TEXT NOT NULL,
  day        TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  message_id INTEGER
);
CREATE INDEX activities_cadre_day ON activities(cadre_id, day);

CREATE TABLE activity_participants (
  activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
  identity_id INTEGER NOT NULL REFERENCES identities(id),
  PRIMARY KEY (activity_id, identity_id)
) WITHOUT ROWID;

CREATE TABLE questions (
  id          INTEGER PRIMARY KEY,
  platform    TEXT NOT NULL,
  chat_kind   TEXT NOT NULL,
  chat_id     TEXT NOT NULL,
  account     TEXT NOT NULL DEFAULT '',
  msg_id      TEXT NOT NULL,
  group_id    INTEGER,
  asker_id    INTEGER NOT NULL REFERENCES identities(id),
  cadre_id    INTEGER REFERENCES cadres(id),
  text        TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('answered_by_bot','open','answered')),
  reason      TEXT NOT NULL DEFAULT '',
  answer      TEXT NOT NULL DEFAULT '',
  asked_at    INTEGER NOT NULL,
  answered_at INTEGER,
  UNIQUE (platform, chat_id, msg_id)
);
CREATE INDEX questions_open ON questions(cadre_id, status);

CREATE TABLE llm_usage (
  day               TEXT NOT NULL,
  cadre_id          INTEGER NOT NULL DEFAULT 0,
  group_id          INTEGER NOT NULL DEFAULT 0,
  asker_id          INTEGER NOT NULL DEFAULT 0,
  prompt_tokens     INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  cost              REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (day, cadre_id, group_id, asker_id)
) WITHOUT ROWID;

CREATE TABLE job_runs (
  job         TEXT NOT NULL,
  period      TEXT NOT NULL,
  destination TEXT NOT NULL,
  status      TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  at          INTEGER NOT NULL,
  err         TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (job, period, destination)
) WITHOUT ROWID;

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  key             TEXT UNIQUE,
  platform        TEXT NOT NULL,
  account         TEXT NOT NULL DEFAULT '',
  chat_kind       TEXT NOT NULL,
  chat_id         TEXT NOT NULL,
  text            TEXT NOT NULL,
  reply_to        TEXT NOT NULL DEFAULT '',
  mention         TEXT NOT NULL DEFAULT '[]',
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_at         INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  platform_msg_id TEXT NOT NULL DEFAULT '',
  err             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(status, next_at);
