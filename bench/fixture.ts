/**
 * The benchmark data set (issue 17): 1,000 authors and 100,000 books (100 per author) spread over
 * `users` users, both under an RLS policy of the form `(select auth.user_id()) = user_id or
 * is_published`; an insert target (`notes`, truncated before every insert run) whose `user_id`
 * defaults to `auth.user_id()`; and a STABLE set-returning SQL function for RPC.
 *
 * User u (1-based) owns the authors u, u + users, u + 2·users, ... and all of their books: a request
 * picks a user, then one of that user's authors (and one of that author's books), so every row asked
 * for is visible to the token that asks, whatever its publication flag. A quarter of the books and
 * half of the authors are unpublished: lists show other users' published rows and the asker's own.
 */

export const AUTHORS = 1_000
export const BOOKS_PER_AUTHOR = 100
export const BOOKS = AUTHORS * BOOKS_PER_AUTHOR
/** what the list workload filters on */
export const LIST_GENRE = 'poetry'

export type FixtureShape = Readonly<{ users: number }>

export function authorsPerUser(shape: FixtureShape): number {
  return AUTHORS / shape.users
}

/** Throws unless every user owns the same number of authors, at least two. */
export function checkShape(shape: FixtureShape): void {
  if (!Number.isInteger(shape.users) || shape.users < 1 || AUTHORS % shape.users !== 0 || AUTHORS / shape.users < 2) {
    throw new Error(`--users must divide ${AUTHORS} and leave each user at least 2 authors (got ${shape.users})`)
  }
}

export function userId(user: number): string {
  return `user-${user}`
}

/** The k-th (0-based) author of `user`. */
export function authorOf(user: number, k: number, users: number): number {
  return user + users * k
}

/** The n-th (1-based) book of `author`. */
export function bookOf(author: number, n: number): number {
  return (author - 1) * BOOKS_PER_AUTHOR + n
}

/** The same RLS policy on every read table: the owner sees everything, everybody sees what is published. */
const OWN_OR_PUBLISHED = '((select auth.user_id()) = user_id or is_published)'

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
  is_published boolean not null
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
  price numeric(8, 2) not null,
  is_published boolean not null
);
create index books_author_id on books (author_id);
create index books_genre_year on books (genre, year desc, id desc);

insert into authors
select a,
       'user-' || ((a - 1) % ${users} + 1),
       'Author ' || a,
       (array['FR', 'DE', 'US', 'JP', 'BR', 'IN'])[a % 6 + 1],
       1900 + a % 100,
       a % 2 = 0
from generate_series(1, ${AUTHORS}) a;

insert into books
select b,
       (b - 1) / ${BOOKS_PER_AUTHOR} + 1,
       'user-' || (((b - 1) / ${BOOKS_PER_AUTHOR}) % ${users} + 1),
       'Book number ' || b,
       (array['fiction', 'poetry', 'history', 'science', 'travel', 'crime'])[b % 6 + 1],
       1900 + (b * 7) % 121,
       80 + (b * 13) % 600,
       round(((b * 37) % 5000) / 100.0 + 4.99, 2),
       b % 4 <> 0
from generate_series(1, ${BOOKS}) b;

alter table authors enable row level security;
create policy authors_read on authors for select using ${OWN_OR_PUBLISHED};
alter table books enable row level security;
create policy books_read on books for select using ${OWN_OR_PUBLISHED};

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

create function books_of_author(p_author_id bigint) returns setof books
language sql stable as $$
  select * from books where author_id = p_author_id order by id
$$;

grant usage on schema public to authenticated;
grant select on authors, books to authenticated;
grant select, insert on notes to authenticated;
grant execute on function books_of_author(bigint) to authenticated;
analyze authors;
analyze books;
analyze notes;
`
}

export const TRUNCATE_NOTES = 'truncate notes restart identity'
