/**
 * The benchmark data set: 10k authors spread over `users` users, 90k books (9 per author, owned by
 * the author's user), RLS on both with `(select auth.user_id()) = user_id`, an insert target
 * (`notes`, truncated before every insert run) and a STABLE SQL function for RPC.
 *
 * User u (1-based) owns the authors u, u + users, u + 2·users, ...: a request picks a user, then one
 * of that user's authors, so every row asked for is visible to the token that asks.
 */

export const AUTHORS = 10_000
export const BOOKS_PER_AUTHOR = 9

export type FixtureShape = Readonly<{ users: number }>

export function authorsPerUser(shape: FixtureShape): number {
  return AUTHORS / shape.users
}

export function checkShape(shape: FixtureShape): void {
  if (!Number.isInteger(shape.users) || shape.users < 1 || AUTHORS % shape.users !== 0) {
    throw new Error(`--users must divide ${AUTHORS} (got ${shape.users})`)
  }
}

export function userId(user: number): string {
  return `user-${user}`
}

/** Needs the `auth` schema and the `authenticated` role, which the server creates on start. */
export function fixtureSql(shape: FixtureShape): string {
  const { users } = shape
  return `
create table authors (
  id bigint primary key,
  user_id text not null,
  name text not null,
  country text not null,
  born int not null,
  created_at timestamptz not null
);
create index authors_user_id on authors (user_id);

create table books (
  id bigint primary key,
  author_id bigint not null references authors (id),
  user_id text not null,
  title text not null,
  genre text not null,
  year int not null,
  pages int not null,
  price numeric(8, 2) not null
);
create index books_author_id on books (author_id);
create index books_user_year on books (user_id, year desc, id);

insert into authors
select a,
       'user-' || ((a - 1) % ${users} + 1),
       'Author ' || a,
       (array['FR', 'DE', 'US', 'JP', 'BR', 'IN'])[a % 6 + 1],
       1900 + a % 100,
       timestamptz '2024-01-01 00:00:00+00' + a * interval '1 minute'
from generate_series(1, ${AUTHORS}) a;

insert into books
select b,
       (b - 1) % ${AUTHORS} + 1,
       'user-' || (((b - 1) % ${AUTHORS}) % ${users} + 1),
       'Book number ' || b,
       (array['fiction', 'poetry', 'history', 'science', 'travel', 'crime'])[b % 6 + 1],
       1900 + (b * 7) % 121,
       80 + (b * 13) % 600,
       round(((b * 37) % 5000) / 100.0 + 4.99, 2)
from generate_series(1, ${AUTHORS * BOOKS_PER_AUTHOR}) b;

alter table authors enable row level security;
create policy authors_own on authors for select using ((select auth.user_id()) = user_id);
alter table books enable row level security;
create policy books_own on books for select using ((select auth.user_id()) = user_id);

create table notes (
  id bigint generated always as identity primary key,
  user_id text not null default auth.user_id(),
  author_id bigint,
  body text not null,
  rating int,
  created_at timestamptz not null default now()
);
alter table notes enable row level security;
create policy notes_read on notes for select using ((select auth.user_id()) = user_id);
create policy notes_write on notes for insert with check ((select auth.user_id()) = user_id);

create function top_books(p_author_id bigint, p_limit int default 5) returns setof books
language sql stable as $$
  select * from books where author_id = p_author_id order by year desc, id limit p_limit
$$;

grant usage on schema public to authenticated;
grant select on authors, books to authenticated;
grant select, insert on notes to authenticated;
grant execute on function top_books(bigint, int) to authenticated;
analyze authors;
analyze books;
analyze notes;
`
}

export const TRUNCATE_NOTES = 'truncate notes restart identity'
