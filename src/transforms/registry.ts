/**
 * Transforms by name (TensorFlow's REGISTER_GRAPH_TRANSFORM). Each transform module registers
 * itself; src/transforms/index.ts imports them all.
 */
import type {GraphDef} from '../graph/types.js'
import type {TransformContext} from './transformParams.js'

export interface TransformDefinition {
  name: string
  /** One line for `axq transform --help` and error messages. */
  summary: string
  /** Parameter names the transform reads (besides the generic ignore_errors). */
  params: readonly string[]
  run(graph: GraphDef, context: TransformContext): GraphDef | Promise<GraphDef>
}

const registry = new Map<string, TransformDefinition>()

export function registerTransform(def: TransformDefinition): void {
  if (registry.has(def.name)) throw new Error(`transform ${def.name} registered twice`)
  registry.set(def.name, def)
}

export function getTransform(name: string): TransformDefinition | undefined {
  return registry.get(name)
}

export function transformNames(): string[] {
  return [...registry.keys()].sort()
}
