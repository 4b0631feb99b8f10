/**
 * Pattern matching and rewriting over GraphDefs, as TensorFlow's graph_transforms do it
 * (transform_utils.cc: GraphMatcher, ReplaceMatchingOpTypes, RenameNodeInputs, CopyOriginalMatch).
 * Every transform that rewrites subgraphs goes through here, so their node orders and corner
 * cases (shared inputs, nodes used outside a match, control inputs) are TensorFlow's.
 */
import type {GraphDef, NodeDef} from '../graph/types.js'
import {AxqError} from '../errors.js'
import {executionOrder} from './executionOrder.js'
import {canonicalInput, inputParts, nodeName} from './inputNames.js'

/** An op pattern: `*`, `Op` or `A|B|C`; without `inputs` it matches any inputs. */
export interface OpTypePattern {
  op: string
  inputs?: OpTypePattern[]
}

export interface NodeMatch {
  node: NodeDef
  inputs: NodeMatch[]
}

/** Names of all nodes of a match, root included. */
function recordMatched(match: NodeMatch, into: Set<string>): void {
  into.add(match.node.name)
  for (const m of match.inputs) recordMatched(m, into)
}

/** Matched nodes breadth-first from the root, each name once (MatchedNodesAsArray). */
export function matchedNodes(match: NodeMatch): NodeDef[] {
  const seen = new Set<string>()
  const result: NodeDef[] = []
  let current = [match]
  while (current.length > 0) {
    const next: NodeMatch[] = []
    for (const m of current) {
      if (seen.has(m.node.name)) continue
      seen.add(m.node.name)
      result.push(m.node)
      next.push(...m.inputs)
    }
    current = next
  }
  return result
}

/** CopyOriginalMatch: re-emit the matched nodes unchanged. */
export function copyOriginalMatch(match: NodeMatch, into: NodeDef[]): void {
  into.push(...matchedNodes(match))
}

export class GraphMatcher {
  private readonly sorted: NodeDef[]
  private readonly byName = new Map<string, NodeDef>()

  constructor(graph: GraphDef) {
    // TensorFlow ignores a failed sort here: an invalid graph simply yields fewer candidates.
    const {order} = executionOrder(graph.node)
    this.sorted = order.map((i) => graph.node[i])
    for (const node of this.sorted) this.byName.set(node.name, node)
  }

  /** All non-overlapping matches, roots tried in execution order. */
  matches(pattern: OpTypePattern): NodeMatch[] {
    const matched = new Set<string>()
    const result: NodeMatch[] = []
    const alternatives = compile(pattern)
    for (const node of this.sorted) {
      if (matched.has(node.name)) continue
      const m = this.match(node, alternatives, matched)
      if (m) {
        recordMatched(m, matched)
        result.push(m)
      }
    }
    return result
  }

  private match(node: NodeDef, pattern: CompiledPattern, previously: Set<string>): NodeMatch | undefined {
    if (previously.has(node.name)) return undefined
    if (pattern.ops !== undefined && !pattern.ops.has(node.op)) return undefined
    const match: NodeMatch = {node, inputs: []}
    if (pattern.inputs.length === 0) return match
    const data = (node.input ?? []).filter((s) => s.length > 0 && s[0] !== '^')
    if (data.length !== pattern.inputs.length) return undefined
    for (let i = 0; i < data.length; i++) {
      const input = this.byName.get(nodeName(data[i]))
      if (!input) return undefined
      const m = this.match(input, pattern.inputs[i], previously)
      if (!m) return undefined
      match.inputs.push(m)
    }
    return match
  }
}

interface CompiledPattern {
  ops?: Set<string>
  inputs: CompiledPattern[]
}

function compile(p: OpTypePattern): CompiledPattern {
  return {ops: p.op === '*' ? undefined : new Set(p.op.split('|')), inputs: (p.inputs ?? []).map(compile)}
}

export type NodeGenerator = (
  match: NodeMatch,
  inputNodes: ReadonlySet<string>,
  outputNodes: ReadonlySet<string>,
  newNodes: NodeDef[],
) => void

/** Consumers of each node name (by data or control input), in graph order. */
export function mapNodesToOutputs(graph: GraphDef): Map<string, NodeDef[]> {
  const result = new Map<string, NodeDef[]>()
  for (const node of graph.node) {
    for (const input of node.input ?? []) {
      const name = nodeName(input)
      let list = result.get(name)
      if (!list) result.set(name, (list = []))
      list.push(node)
    }
  }
  return result
}

/**
 * ReplaceMatchingOpTypes: walk the original node order; at each match root emit what the
 * generator returns, drop the other matched nodes, copy unmatched nodes. Unless
 * `allowInconsistencies`, a generator result that lacks a node still used outside the match
 * is discarded and the original matched nodes are emitted instead.
 */
export function replaceMatchingOpTypes(
  graph: GraphDef,
  pattern: OpTypePattern,
  generator: NodeGenerator,
  options: {allowInconsistencies?: boolean} = {},
): GraphDef {
  const matches = new GraphMatcher(graph).matches(pattern)
  const matched = new Set<string>()
  const byRoot = new Map<string, NodeMatch>()
  for (const m of matches) {
    byRoot.set(m.node.name, m)
    recordMatched(m, matched)
  }
  const consumers = mapNodesToOutputs(graph)
  const out: NodeDef[] = []
  for (const node of graph.node) {
    const match = byRoot.get(node.name)
    if (match) {
      const nodes = matchedNodes(match)
      const inMatch = new Set(nodes.map((n) => n.name))
      const inputNodes = new Set<string>()
      const outputNodes = new Set<string>()
      for (const m of nodes) {
        for (const input of m.input ?? []) if (!inMatch.has(nodeName(input))) inputNodes.add(m.name)
        for (const c of consumers.get(m.name) ?? []) if (!inMatch.has(c.name)) outputNodes.add(m.name)
      }
      const generated: NodeDef[] = []
      generator(match, inputNodes, outputNodes, generated)
      let keep = true
      if (!options.allowInconsistencies) {
        const names = new Set(generated.map((n) => n.name))
        for (const needed of outputNodes) if (!names.has(needed)) keep = false
      }
      out.push(...(keep ? generated : nodes))
    } else if (!matched.has(node.name)) {
      out.push(node)
    }
  }
  return {node: out}
}

/**
 * RenameNodeInputs: rewrite every input string while its node name has renames. A source
 * ending in `:*` matches any port and the control form, keeping the `^` and `:k` around the
 * destination; otherwise source and input must be equal as canonical names (`x` ≡ `x:0`) and
 * the destination replaces the input verbatim. A chain that comes back to a node is an error.
 */
export function renameNodeInputs(
  graph: GraphDef,
  renames: ReadonlyMap<string, string> | Record<string, string>,
  ignore: ReadonlySet<string> = new Set(),
): GraphDef {
  const entries = renames instanceof Map ? [...renames.entries()] : Object.entries(renames)
  // std::map order: sorted by source string (byte order).
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const byNode = new Map<string, [string, string][]>()
  for (const [source, dest] of entries) {
    const name = nodeName(source)
    let list = byNode.get(name)
    if (!list) byNode.set(name, (list = []))
    list.push([source, dest])
  }
  if (byNode.size === 0) return {node: graph.node.slice()}
  const out: NodeDef[] = []
  for (const node of graph.node) {
    const inputs = node.input ?? []
    let changed = false
    const renamed = inputs.map((input) => {
      let current = input
      const visited = new Set<string>()
      for (;;) {
        const name = nodeName(current)
        const list = byNode.get(name)
        if (!list) break
        if (visited.has(name)) throw new AxqError(`input renames contain a cycle for '${name}'`, {subject: name})
        visited.add(name)
        if (ignore.has(node.name)) break
        let found = false
        for (const [source, dest] of list) {
          if (source.endsWith(':*')) {
            const p = inputParts(current)
            current = p.prefix + dest + p.suffix
            found = true
          } else if (canonicalInput(source) === canonicalInput(current)) {
            current = dest
            found = true
          }
        }
        if (!found) break
      }
      if (current !== input) changed = true
      return current
    })
    out.push(changed ? {...node, input: renamed} : node)
  }
  return {node: out}
}

/** IsGraphValid: every input names an existing node. */
export function checkGraphValid(graph: GraphDef, step?: string): void {
  const names = new Set(graph.node.map((n) => n.name))
  for (const node of graph.node) {
    for (const input of node.input ?? []) {
      if (!names.has(nodeName(input))) {
        throw new AxqError(
          `${step ? `${step}: ` : ''}invalid graph: node '${node.name}' has input '${input}' referring to a nonexistent node`,
          {subject: node.name},
        )
      }
    }
  }
}
