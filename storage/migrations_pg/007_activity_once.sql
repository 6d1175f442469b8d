-- An activity logged from a chat message is logged once, however often that message is handled
-- (a command caught by a crash is handled again at the next start).
CREATE UNIQUE INDEX activities_message ON activities(message_id) WHERE message_id IS NOT NULL;
