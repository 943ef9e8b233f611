/**
 * `Accept: application/geo+json`: the rows as a GeoJSON FeatureCollection, built by PostGIS's
 * ST_AsGeoJSON in the same statement. Reads, RPC and writes with return=representation answer it;
 * without PostGIS the answer is Postgres's own error, as PostgREST gives it.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'
import { databaseUrl } from './support/temp-postgres.js'

const GEO = { Accept: 'application/geo+json' }

/** Whether the PostgreSQL server can install PostGIS (.ci/run installs it; a developer's may not). */
async function postgisAvailable(): Promise<boolean> {
  if (!databaseUrl) return false
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query(`select 1 from pg_available_extensions where name = 'postgis'`)
    return rows.length > 0
  } finally {
    await client.end()
  }
}

const withPostgis = await postgisAvailable()

describe.each(backends)('application/geo+json without PostGIS on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(`
      create table spots (id int primary key, name text);
      insert into spots values (1, 'one');
      grant usage on schema public to anonymous;
      grant select on spots to anonymous;`)
  })
  afterAll(async () => s?.close())

  it("answers Postgres's error for the missing function", async () => {
    const res = await s.request('/spots', { headers: GEO })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({
      code: '42883',
      details: null,
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      message: 'function st_asgeojson(record) does not exist',
    })
  })

  it('is not offered for the OpenAPI document', async () => {
    const res = await s.request('/', { headers: GEO })
    expect(res.status).toBe(406)
    expect(((await res.json()) as { code: string }).code).toBe('PGRST107')
  })
})

describe.runIf(withPostgis)('application/geo+json with PostGIS on postgres', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer('postgres')
    await s.sql(`
      create extension postgis;
      create table landmarks (id int primary key, name text not null, location geometry(Point, 4326));
      insert into landmarks values
        (1, 'Tower', st_setsrid(st_makepoint(2.2945, 48.8584), 4326)),
        (2, 'Gate', st_setsrid(st_makepoint(13.3777, 52.5163), 4326)),
        (3, 'Nowhere', null);
      create function landmarks_east_of(lon float8) returns setof landmarks stable language sql
        as $$ select * from landmarks where st_x(location) > lon order by id $$;
      grant usage on schema public to anonymous;
      grant select, insert on landmarks to anonymous;
      grant execute on function landmarks_east_of(float8) to anonymous;`)
  })
  afterAll(async () => s?.close())

  const feature = (id: number, name: string, coordinates: [number, number]) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates },
    properties: { id, name },
  })

  it('answers a FeatureCollection of the rows, each geometry from its geometry column', async () => {
    const res = await s.request('/landmarks?id=lt.3&order=id', { headers: GEO })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/geo+json; charset=utf-8')
    expect(await res.json()).toEqual({
      type: 'FeatureCollection',
      features: [feature(1, 'Tower', [2.2945, 48.8584]), feature(2, 'Gate', [13.3777, 52.5163])],
    })
  })

  it('keeps filters, select and paging, and answers an empty collection when nothing matches', async () => {
    const res = await s.request('/landmarks?select=name,location&order=id.desc&limit=1&offset=1', { headers: GEO })
    expect(await res.json()).toEqual({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [13.3777, 52.5163] }, properties: { name: 'Gate' } }],
    })
    const none = await s.request('/landmarks?id=eq.99', { headers: GEO })
    expect({ status: none.status, body: await none.json() }).toEqual({ status: 200, body: { type: 'FeatureCollection', features: [] } })
  })

  it('answers RPC results that are rows of a table', async () => {
    const res = await s.request('/rpc/landmarks_east_of?lon=10', { headers: GEO })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ type: 'FeatureCollection', features: [feature(2, 'Gate', [13.3777, 52.5163])] })
  })

  it('answers inserted rows with return=representation', async () => {
    const res = await s.request('/landmarks', {
      method: 'POST',
      headers: { ...GEO, 'Content-Type': 'application/json', Prefer: 'return=representation' },
      body: JSON.stringify({ id: 4, name: 'Bridge', location: 'SRID=4326;POINT(-122.4783 37.8199)' }),
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('content-type')).toBe('application/geo+json; charset=utf-8')
    expect(await res.json()).toEqual({ type: 'FeatureCollection', features: [feature(4, 'Bridge', [-122.4783, 37.8199])] })
  })
})
