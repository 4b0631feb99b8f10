/**
 * Reading and writing TensorFlow GraphDef files (binary protobuf, `.pb`). Loading and saving an
 * unchanged graph reproduces the file byte for byte (see src/graph/protos.ts for how presence,
 * packing and field order are kept). Text-format GraphDefs (`.pbtxt`, as TensorFlow's
 * transform_graph also reads) are accepted by readGraph/decodeGraph too.
 */
import {AxqError} from '../errors.js'
import {writeFileAtomic} from '../atomicWrite.js'
import type {GraphDef} from './types.js'
import {decodeMessage, encodeMessage} from './protos.js'
import {looksLikeTextFormat, parseTextGraph} from './textFormat.js'
import {INPUT_LIMITS, readInputFile} from '../inputFile.js'

/** Read a GraphDef file. Every problem is an AxqError naming the file. */
export function readGraph(file: string): GraphDef {
  return decodeGraph(readInputFile(file, {what: 'graph', maxBytes: INPUT_LIMITS.graphBytes}), file)
}

/**
 * Decode GraphDef bytes (binary, or text format when the bytes look like it). `source` names the
 * bytes in error messages (usually the file name).
 */
export function decodeGraph(bytes: Uint8Array, source: string): GraphDef {
  if (bytes.length === 0) throw new AxqError(`${source}: empty file, not a TensorFlow GraphDef`, {subject: source})
  let graph: GraphDef
  if (looksLikeTextFormat(bytes)) {
    graph = parseTextGraph(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), source)
  } else {
    try {
      graph = decodeMessage<GraphDef>('GraphDef', bytes, source)
    } catch (error) {
      if (error instanceof AxqError && bytes[0] === 0x08) {
        throw new AxqError(`${source}: not a valid TensorFlow GraphDef (it may be a SavedModel's saved_model.pb; freeze it into a GraphDef first)`, {subject: source, cause: error})
      }
      throw error
    }
  }
  checkGraph(graph, source)
  return graph
}

/** The GraphDef's bytes, as TensorFlow's C++ serializer writes them. */
export function encodeGraph(graph: GraphDef): Uint8Array {
  return encodeMessage('GraphDef', graph, 'GraphDef')
}

/** Write a GraphDef file atomically (temporary file, then rename). */
export function writeGraph(file: string, graph: GraphDef): void {
  writeFileAtomic(file, encodeGraph(graph))
}

/** A deep copy of a graph (through the wire format, so it is exactly what a save + load gives). */
export function cloneGraph(graph: GraphDef): GraphDef {
  return decodeMessage<GraphDef>('GraphDef', encodeGraph(graph), 'graph')
}

// Node names as TensorFlow's graph importer accepts them (IsValidNodeName, with internal ops
// allowed: a letter, digit, '.' or '_', then letters, digits and - . / _ >).
const NODE_NAME = /^[A-Za-z0-9._][A-Za-z0-9_.\-/>]*$/
const OP_NAME = /^[A-Za-z0-9_.>\-/]+$/

/**
 * Random bytes can occasionally parse as a protobuf; a real GraphDef has nodes with sane,
 * unique names and op types. Anything else is rejected with the first problem found.
 */
function checkGraph(graph: GraphDef, source: string): void {
  const bad = (what: string): never => {
    throw new AxqError(`${source}: not a valid TensorFlow GraphDef (${what})`, {subject: source})
  }
  if (graph.node.length === 0) bad('it has no nodes')
  const seen = new Set<string>()
  graph.node.forEach((node, i) => {
    if (!node.name) bad(`node #${i} has no name`)
    if (!NODE_NAME.test(node.name)) bad(`node #${i} has an invalid name ${JSON.stringify(shorten(node.name))}`)
    if (!node.op) bad(`node '${node.name}' has no op`)
    if (!OP_NAME.test(node.op)) bad(`node '${node.name}' has an invalid op ${JSON.stringify(shorten(node.op))}`)
    if (seen.has(node.name)) bad(`two nodes are named '${node.name}'`)
    seen.add(node.name)
    for (const input of node.input) {
      if (!/^\^?[A-Za-z0-9._][A-Za-z0-9_.\-/>]*(:\d+)?$/.test(input)) bad(`node '${node.name}' has an invalid input ${JSON.stringify(shorten(input))}`)
    }
  })
}

function shorten(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s
}
