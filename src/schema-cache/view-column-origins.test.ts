import { describe, expect, it } from 'vitest'
import { viewColumnOrigins } from './view-column-origins.js'

/** A trimmed `_RETURN` rule in pg_node_tree text, as `ev_action::text` prints it. */
function rule(targetList: string, rtable = '<>'): string {
  return `({QUERY :commandType 1 :utilityStmt <> :cteList <> :rtable ${rtable} :targetList (${targetList}) :override 0})`
}

function entry(resno: number, resname: string, tbl: number, col: number, junk = false): string {
  return `{TARGETENTRY :expr {VAR :varno 1 :varattno ${col} :location -1} :resno ${resno} :resname ${resname} ` +
    `:ressortgroupref 0 :resorigtbl ${tbl} :resorigcol ${col} :resjunk ${junk}}`
}

describe('viewColumnOrigins', () => {
  it.each([
    ['plain columns', rule(`${entry(1, 'id', 16384, 1)} ${entry(2, 'name', 16384, 2)}`), [
      { viewColumn: 1, relation: 16384, column: 1 },
      { viewColumn: 2, relation: 16384, column: 2 },
    ]],
    // outToken escapes spaces and parentheses, but not a leading colon
    ['escaped names and a name starting with a colon', rule(`${entry(1, 'a\\ b\\ \\(c\\)', 7, 3)} ${entry(2, ':x', 7, 4)}`), [
      { viewColumn: 1, relation: 7, column: 3 },
      { viewColumn: 2, relation: 7, column: 4 },
    ]],
    ['expressions and junk columns are skipped', rule(
      `{TARGETENTRY :expr {CONST :consttype 23 :constlen 4 :constbyval true :constisnull false :location -1 ` +
        `:constvalue 4 [ 1 0 0 0 0 0 0 0 ]} :resno 1 :resname c :resorigtbl 0 :resorigcol 0 :resjunk false} ` +
        `${entry(2, 'id', 9, 1)} ${entry(3, 'hidden', 9, 2, true)}`,
    ), [{ viewColumn: 2, relation: 9, column: 1 }]],
    ['target lists of nested queries are ignored', rule(
      entry(1, 'id', 5, 1),
      `({RANGETBLENTRY :rtekind 1 :subquery {QUERY :commandType 1 :targetList (${entry(1, 'id', 6, 1)})} :lateral false})`,
    ), [{ viewColumn: 1, relation: 5, column: 1 }]],
    ['an empty target list', rule(''), []],
  ])('%s', (_label, text, want) => {
    expect(viewColumnOrigins(text)).toEqual(want)
  })

  it.each([['truncated', '({QUERY :targetList ({TARGETENTRY :resno 1'], ['not a query', '({FOO :a 1})'], ['empty', '']])(
    'yields nothing for %s input',
    (_label, text) => {
      expect(viewColumnOrigins(text)).toEqual([])
    },
  )
})
