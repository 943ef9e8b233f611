import { describe, expect, it } from 'vitest'
import { BackendStream, errorResponse } from './wire-protocol.js'

function message(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeInt32BE(body.length + 4)
  return Buffer.concat([Buffer.from(type), length, body])
}

const commandComplete = message('C', Buffer.from('SELECT 1\0'))
const notification = message('A', Buffer.concat([Buffer.from([0, 0, 0, 42]), Buffer.from('data_api\0reload schema\0')]))
const ready = (status: string) => message('Z', Buffer.from(status))

describe('BackendStream', () => {
  const output = Buffer.concat([commandComplete, notification, ready('I')])

  it.each([1, 2, 3, 5, 7, output.length])('passes messages on, keeps notifications and reads the status, in chunks of %i bytes', (size) => {
    const stream = new BackendStream()
    const passed: Uint8Array[] = []
    for (let i = 0; i < output.length; i += size) passed.push(...stream.feed(output.subarray(i, i + size)))
    expect(Buffer.concat(passed)).toEqual(Buffer.concat([commandComplete, ready('I')]))
    expect(stream.notifications).toEqual([{ channel: 'data_api', payload: 'reload schema' }])
    expect(stream.last).toBe('I')
  })

  it('remembers the last ReadyForQuery until reset', () => {
    const stream = new BackendStream()
    stream.feed(Buffer.concat([ready('T'), commandComplete]))
    expect(stream.last).toBe('T')
    stream.feed(ready('E'))
    expect(stream.last).toBe('E')
    stream.reset()
    stream.feed(commandComplete)
    expect(stream.last).toBeUndefined()
  })
})

describe('errorResponse', () => {
  it('writes severity, SQLSTATE and message fields', () => {
    expect(errorResponse('FATAL', '53300', 'too many')).toEqual(message('E', Buffer.from('SFATAL\0VFATAL\0C53300\0Mtoo many\0\0')))
  })
})
