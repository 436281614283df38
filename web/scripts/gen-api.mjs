// npm run gen:api — generates src/api/schema.d.ts from the server's OpenAPI document
// (../docs/openapi.json, kept equal to what the server serves by a server test) with
// openapi-typescript. The build and the type-check run it first, so the web UI's API types
// always follow the document. The output is git-ignored.
//
// openapi-typescript stops at a `$ref` to a schema the document does not define and at an
// operationId used twice. Both are bugs of the document (to be fixed on the server side); until
// they are, a warning is printed and the generation goes on: a missing schema becomes `unknown`,
// a duplicated operationId gets its tag as a prefix (`hazard_verify`, `audit_verify`).
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript'

const here = dirname(fileURLToPath(import.meta.url))
const input = resolve(here, '../../docs/openapi.json')
const output = resolve(here, '../src/api/schema.d.ts')

const doc = JSON.parse(await readFile(input, 'utf8'))

const prefix = '#/components/schemas/'
const schemas = (doc.components ??= {}).schemas ??= {}
const missing = new Set()
;(function walk(node) {
  if (Array.isArray(node)) return node.forEach(walk)
  if (!node || typeof node !== 'object') return
  if (typeof node.$ref === 'string' && node.$ref.startsWith(prefix)) {
    const name = node.$ref.slice(prefix.length)
    if (!(name in schemas)) missing.add(name)
  }
  Object.values(node).forEach(walk)
})(doc)
for (const name of missing) {
  console.warn(`gen:api: warning: docs/openapi.json refers to #/components/schemas/${name}, which it does not define; generated as unknown`)
  schemas[name] = { description: 'Missing from docs/openapi.json (referenced, not defined): generated as unknown.' }
}

const ops = Object.values(doc.paths ?? {}).flatMap((item) =>
  ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].map((m) => item[m]).filter(Boolean),
)
const counts = new Map()
for (const op of ops) if (op.operationId) counts.set(op.operationId, (counts.get(op.operationId) ?? 0) + 1)
for (const op of ops) {
  if (!op.operationId || counts.get(op.operationId) < 2) continue
  const renamed = `${op.tags?.[0] ?? 'op'}_${op.operationId}`
  console.warn(`gen:api: warning: docs/openapi.json uses operationId ${op.operationId} more than once; generated as ${renamed}`)
  op.operationId = renamed
}

const ast = await openapiTS(doc, {
  // `{"type": "object"}` without properties: an object of unknown shape, not an empty one
  emptyObjectsUnknown: true,
  silent: true,
})
await mkdir(dirname(output), { recursive: true })
await writeFile(output, COMMENT_HEADER + astToString(ast))
console.log(`gen:api: ${output.slice(resolve(here, '..').length + 1)} from docs/openapi.json`)
