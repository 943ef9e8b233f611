/**
 * The CLI face of the operation registry: one command per operation (its words, positional
 * arguments and examples from its declaration), one flag per input field (the settings object
 * becomes neonctl's settings flags), and --output, --url, --admin-key, --database-url on each.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import { z } from 'zod'
import { cliBinding, type Operation } from '../admin/operation.js'
import type { AppConfig } from '../config/app-config.js'
import { SETTINGS } from '../config/settings-catalog.js'
import { cliClient, CliError, type ConnectionFlags } from './cli-client.js'
import { FORMATS } from './formats.js'
import { formatOutput, type OutputFormat } from './output.js'
import { createProgress } from './progress.js'

type Kind = 'boolean' | 'number' | 'list' | 'object' | 'string'

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = (s as unknown as { unwrap: () => z.ZodType }).unwrap()
    else if (s instanceof z.ZodPipe) s = (s as unknown as { out: z.ZodType }).out
    else return s
  }
}

function kindOf(schema: z.ZodType): Kind {
  const s = unwrap(schema)
  if (s instanceof z.ZodBoolean) return 'boolean'
  if (s instanceof z.ZodNumber) return 'number'
  if (s instanceof z.ZodArray) return 'list'
  if (s instanceof z.ZodObject) return 'object'
  if (s instanceof z.ZodUnion) {
    const kinds = new Set((s.options as z.ZodType[]).filter((o) => !(o instanceof z.ZodNull)).map(kindOf))
    return kinds.size === 1 ? [...kinds][0]! : 'string'
  }
  return 'string'
}

const FLAG_NAMES: Readonly<Record<string, string>> = { database_name: 'database', branch_id: 'branch' }
const kebab = (field: string) => FLAG_NAMES[field] ?? field.replaceAll('_', '-')
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())

function parseValue(kind: Kind | 'integer', text: string, nullable: boolean): unknown {
  if (nullable && (text === 'null' || text === 'none')) return null
  if (kind === 'boolean') {
    if (text === 'true') return true
    if (text === 'false') return false
    throw new CliError(`expected true or false, got "${text}"`)
  }
  if (kind === 'number' || kind === 'integer') {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new CliError(`expected a number, got "${text}"`)
    return Number(text)
  }
  if (kind === 'list') return text.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (kind === 'object') {
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new CliError(`expected JSON, got "${text}"`)
    }
  }
  return text
}

function isNullable(schema: z.ZodType): boolean {
  return schema.safeParse(null).success
}

type FieldFlag = Readonly<{ field: string; flag: string; kind: Kind | 'integer'; nullable: boolean; description: string; setting: boolean }>

function fieldFlags(operation: Operation): FieldFlag[] {
  const shape = inputShape(operation)
  const positional = new Set((operation.cli?.args ?? []).map((a) => a.split('.')[0]!))
  const flags: FieldFlag[] = []
  for (const [field, schema] of Object.entries(shape)) {
    if (positional.has(field)) continue
    if (field === 'settings') {
      for (const s of SETTINGS.filter((x) => x.group === 'api')) {
        flags.push({ field: s.key, flag: kebab(s.key), kind: s.flag, nullable: isNullable(s.schema), description: s.description, setting: true })
      }
      continue
    }
    flags.push({ field, flag: kebab(field), kind: kindOf(schema), nullable: isNullable(schema), description: schema.description ?? '', setting: false })
  }
  return flags
}

export type AdminCommandDeps = Readonly<{
  config: () => AppConfig
  fail: (err: unknown) => never
  /** read standard input whole (for `-`) */
  readStdin: () => Promise<string>
}>

/** The command at these words, made (with a description) if missing. */
function commandAt(program: Command, words: readonly string[]): Command {
  let parent = program
  for (const word of words.slice(0, -1)) {
    parent = parent.commands.find((c) => c.name() === word) ?? parent.command(word).description(`${word} commands`)
  }
  return parent.command(words[words.length - 1]!)
}

/** The fields of an operation's input (an object schema, perhaps refined). */
function inputShape(operation: Operation): Record<string, z.ZodType> {
  return (unwrap(operation.input) as unknown as { shape: Record<string, z.ZodType> }).shape
}

export function registerAdminCommands(program: Command, operations: readonly Operation[], deps: AdminCommandDeps): void {
  for (const operation of operations) {
    const cli = cliBinding(operation)
    const command = commandAt(program, cli.command).description(`${operation.title}: ${operation.description}`)
    for (const alias of cli.aliases ?? []) command.alias(alias)
    const shape = inputShape(operation)
    const textField = operation.name === 'run_sql' || operation.name === 'query' ? 'sql' : undefined
    for (const field of cli.args ?? []) {
      const schema = shape[field.split('.')[0]!]!
      const optional = field === textField || (!field.includes('.') && schema.safeParse(undefined).success)
      const name = field.replace('.', '_')
      command.argument(optional ? `[${name}]` : `<${name}>`, field === textField ? 'the SQL (or - to read standard input)' : (schema.description ?? field))
    }
    if (textField) {
      command.option('-c, --command <sql>', 'the SQL to run (as psql -c)')
      command.option('-f, --file <file>', 'read the SQL from a file (- for standard input)')
    }
    const flags = fieldFlags(operation)
    for (const f of flags) {
      const placeholder = f.kind === 'boolean' ? '[true|false]' : f.kind === 'list' ? '<a,b,...>' : '<value>'
      const option = new Option(`--${f.flag} ${placeholder}`, f.kind === 'list' ? `${f.description} (repeatable)` : f.description)
      // a list flag may be given several times: --schema public --schema api
      if (f.kind === 'list') option.argParser((value: string, previous: string | undefined) => (previous === undefined ? value : `${previous},${value}`))
      command.addOption(option)
    }
    if (cli.text) command.option('-o, --output <file>', 'write to this file instead of standard output')
    else command.addOption(new Option('-o, --output <format>', 'how to print the answer').choices(['table', 'json', 'yaml']).default('table'))
    command.option('--url <url>', 'a running data-api server (default: the one using the data folder, else the database directly)')
    command.option('--admin-key <key>', 'the admin key of --url (default DATA_API_ADMIN_KEY)')
    command.option('--database-url <url>', 'work on this PostgreSQL database directly (default DATABASE_URL)')
    if (cli.examples?.length) command.addHelpText('after', `\nExamples:\n${cli.examples.map((e) => `  $ ${e}`).join('\n')}\n`)

    command.action(async (...args: unknown[]) => {
      const options = args[args.length - 2] as Record<string, unknown>
      const positional = args.slice(0, (cli.args ?? []).length) as (string | undefined)[]
      try {
        const input: Record<string, unknown> = {}
        ;(cli.args ?? []).forEach((field, i) => {
          const value = positional[i]
          if (value === undefined) return
          // `database.name` fills a field of an object field
          const [head, sub] = field.split('.') as [string, string | undefined]
          if (sub) input[head] = { ...(input[head] as object | undefined), [sub]: value }
          else input[field] = parseValue(kindOf(shape[field]!), value, false)
        })
        if (textField) input[textField] = await sqlText(input[textField] as string | undefined, options, deps)
        const settings: Record<string, unknown> = {}
        for (const f of flags) {
          const raw = options[camel(f.flag)]
          if (raw === undefined) continue
          let value: unknown
          try {
            value = raw === true ? true : parseValue(f.kind, String(raw), f.nullable)
          } catch (err) {
            throw new CliError(`--${f.flag}: ${(err as Error).message}`)
          }
          if (f.setting) settings[f.field] = value
          else input[f.field] = value
        }
        if (Object.keys(settings).length > 0) input.settings = settings
        const progress = createProgress()
        const client = await cliClient(deps.config(), options as ConnectionFlags, progress.step)
        try {
          const output = await progress.step(operation.title, () => client.call(operation, input))
          if (cli.text) {
            const text = String((output as Record<string, unknown>)[cli.text] ?? '')
            if (options.output) writeFileSync(String(options.output), text)
            else process.stdout.write(text)
          } else {
            console.log(formatOutput(output, options.output as OutputFormat, FORMATS[operation.name] as ((o: unknown) => string) | undefined))
          }
        } finally {
          await client.close()
        }
      } catch (err) {
        deps.fail(err)
      }
    })
  }
}

async function sqlText(positional: string | undefined, options: Record<string, unknown>, deps: AdminCommandDeps): Promise<string> {
  const file = options.file as string | undefined
  const given = [positional, options.command, file].filter((v) => v !== undefined)
  if (given.length > 1) throw new CliError('Give the SQL once: as an argument, with -c, or with --file.')
  if (file === '-' || positional === '-') return deps.readStdin()
  if (file) return readFileSync(file, 'utf8')
  const text = (positional ?? options.command) as string | undefined
  if (!text) throw new CliError('Give the SQL as an argument, with -c "...", with --file FILE, or - to read standard input.')
  return text
}

/**
 * An argument that starts with `-` but holds whitespace (SQL such as `-- a comment\ncreate table...`)
 * cannot be an option: it is moved behind `--`, so commander takes it as an argument.
 */
export function protectDashedText(argv: readonly string[]): string[] {
  const head: string[] = []
  const moved: string[] = []
  const end = argv.indexOf('--')
  const scan = end === -1 ? argv : argv.slice(0, end)
  for (const arg of scan) (arg.startsWith('-') && /\s/.test(arg) ? moved : head).push(arg)
  if (moved.length === 0) return [...argv]
  const tail = end === -1 ? [] : argv.slice(end + 1)
  return [...head, '--', ...moved, ...tail]
}
