-- Whether recording a bounce put its recipient on the suppression list. Only reports that fail
-- for the address itself (5.1.x) and complaints suppress; a policy or content refusal does not.
ALTER TABLE bounce ADD COLUMN suppressed BOOLEAN NOT NULL DEFAULT FALSE;
-- Rows recorded before this column: every hard bounce and complaint with a known recipient
-- suppressed it then.
UPDATE bounce SET suppressed = TRUE WHERE kind <> 'SOFT' AND recipient_digest IS NOT NULL;
