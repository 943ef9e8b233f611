import { describe, expect, it } from 'vitest'
import { parseOptions } from './options.js'

describe('parseOptions', () => {
  it('defaults to 3 rounds of 10 s, 50 connections, 100 users, every workload, both backends and a 60 s soak', () => {
    expect(parseOptions([], {})).toEqual({
      duration: 10,
      rounds: 3,
      warmup: 2,
      connections: 50,
      threads: 1,
      pgbenchClients: 10,
      pgbenchThreads: 2,
      pool: 10,
      workers: 1,
      soak: 60,
      users: 100,
      only: ['get-one', 'list', 'embed', 'insert', 'rpc'],
      embedded: true,
      pgTunables: true,
      nodeTunables: false,
      cpuProf: false,
      out: undefined,
    })
  })

  it('takes flags before the environment, and 0 turns the soak and the warm-up off', () => {
    const o = parseOptions(['--duration', '3', '--only', 'list, rpc', '--no-embedded', '--soak', '0', '--cpu-prof'], {
      BENCH_DURATION: '7',
      BENCH_ROUNDS: '1',
      BENCH_WARMUP: '0',
    })
    expect(o).toMatchObject({ duration: 3, rounds: 1, warmup: 0, soak: 0, only: ['list', 'rpc'], embedded: false, cpuProf: true })
  })

  it('answers help, and refuses unknown workloads, unknown flags and numbers that are not positive', () => {
    expect(parseOptions(['--help'], {})).toBe('help')
    expect(() => parseOptions(['--only', 'get-one,delete'], {})).toThrow('unknown workload delete (known: get-one, list, embed, insert, rpc)')
    expect(() => parseOptions(['--tool', 'autocannon'], {})).toThrow(/Unknown option '--tool'/)
    expect(() => parseOptions(['--rounds', '1.5'], {})).toThrow('--rounds must be a positive whole number (got 1.5)')
    expect(() => parseOptions(['--duration=-1'], {})).toThrow('--duration must be a positive number (got -1)')
  })
})
