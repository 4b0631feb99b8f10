/** set_device(device=/cpu:0 [, if_default=true]): set every node's device, or only empty ones (set_device.cc). */
import {registerTransform} from './registry.js'
import type {TransformContext} from './transformParams.js'
import type {GraphDef} from '../graph/types.js'

export function setDevice(graph: GraphDef, context: TransformContext): GraphDef {
  const device = context.string('device', '')
  const ifDefault = context.bool('if_default', false)
  return {node: graph.node.map((n) => (!ifDefault || !n.device ? withDevice(n, device) : n))}
}

/** A device of '' is written by TensorFlow as absent (proto3 default), so drop the field. */
export function withDevice<T extends {device?: string}>(node: T, device: string): T {
  const copy = {...node}
  if (device === '') delete copy.device
  else copy.device = device
  return copy
}

registerTransform({name: 'set_device', summary: "set every node's device (if_default=true: only nodes without one)", params: ['device', 'if_default'], run: setDevice})
