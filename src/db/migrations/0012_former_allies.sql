-- A person who deletes their account and keeps their contributions leaves their confirmed work in
-- the community's record under "a former ally": linked to nobody, with only a random stand-in,
-- the same for all of that person's rows, so that the ledger still counts distinct people right.
alter table commitments alter column user_id drop not null;
alter table commitments add column former_ally uuid;
alter table commitments add constraint commitments_owner check (
  user_id is not null or (former_ally is not null and state in ('done', 'partly_done', 'missed'))
);
