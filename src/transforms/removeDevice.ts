/** remove_device: clear the device of every node (remove_device.cc). */
import {registerTransform} from './registry.js'
import type {GraphDef} from '../graph/types.js'
import {withDevice} from './setDevice.js'

export function removeDevice(graph: GraphDef): GraphDef {
  return {node: graph.node.map((n) => withDevice(n, ''))}
}

registerTransform({name: 'remove_device', summary: 'clear the device of every node', params: [], run: removeDevice})
