-- How much of each ask is promised, kept by the database itself whenever a commitment is added,
-- changes state or is deleted (a commit, a withdrawal, a promotion from the line, a confirmation, an
-- account deleted with its commitments): search and the feed read it from the row instead of
-- counting commitments for every ask they show. A shift's counts are per window, on the window row
-- its commits already lock; every other kind's on the ask row, which its commits lock.

alter table ask_windows add column pledged integer not null default 0;

alter table asks
  -- Pledged commitments to the ask as a whole (events; skills and advocacy have no limit).
  add column pledged integer not null default 0,
  -- Supplies and money promised and still standing (pledged, done or partly done).
  add column promised_quantity bigint not null default 0,
  add column promised_amount_minor bigint not null default 0;

create function commitments_tally() returns trigger language plpgsql as $$
declare
  d_pledged integer := 0;
  d_quantity bigint := 0;
  d_amount bigint := 0;
  c commitments;
begin
  if tg_op <> 'INSERT' then
    if old.state = 'pledged' then d_pledged := d_pledged - 1; end if;
    if old.state in ('pledged', 'done', 'partly_done') then
      d_quantity := d_quantity - coalesce(old.quantity, 0);
      d_amount := d_amount - coalesce(old.amount_minor, 0);
    end if;
  end if;
  if tg_op <> 'DELETE' then
    if new.state = 'pledged' then d_pledged := d_pledged + 1; end if;
    if new.state in ('pledged', 'done', 'partly_done') then
      d_quantity := d_quantity + coalesce(new.quantity, 0);
      d_amount := d_amount + coalesce(new.amount_minor, 0);
    end if;
  end if;
  if d_pledged = 0 and d_quantity = 0 and d_amount = 0 then
    return null;
  end if;
  if tg_op = 'DELETE' then c := old; else c := new; end if;
  if c.window_id is not null then
    update ask_windows set pledged = pledged + d_pledged where id = c.window_id;
  else
    update asks set
      pledged = pledged + d_pledged,
      promised_quantity = promised_quantity + d_quantity,
      promised_amount_minor = promised_amount_minor + d_amount
    where id = c.ask_id;
  end if;
  return null;
end
$$;

create trigger commitments_tally
  after insert or delete or update of state, quantity, amount_minor on commitments
  for each row execute function commitments_tally();

update ask_windows w set pledged = (select count(*) from commitments m where m.window_id = w.id and m.state = 'pledged');

update asks a set
  pledged = t.pledged,
  promised_quantity = t.quantity,
  promised_amount_minor = t.amount
from (
  select m.ask_id,
    count(*) filter (where m.state = 'pledged') as pledged,
    coalesce(sum(m.quantity) filter (where m.state in ('pledged', 'done', 'partly_done')), 0) as quantity,
    coalesce(sum(m.amount_minor) filter (where m.state in ('pledged', 'done', 'partly_done')), 0) as amount
  from commitments m
  where m.window_id is null
  group by m.ask_id
) t
where t.ask_id = a.id;
