-- outbox.next_at is kept in milliseconds (it was seconds): a retry a few milliseconds or a
-- second and a half away comes due at its time, not at a whole second.
UPDATE outbox SET next_at = next_at * 1000;
