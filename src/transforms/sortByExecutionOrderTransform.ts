/** sort_by_execution_order: reorder nodes topologically, TensorFlow's way (see executionOrder.ts). */
import {registerTransform} from './registry.js'
import {sortByExecutionOrder} from './executionOrder.js'

registerTransform({
  name: 'sort_by_execution_order',
  summary: 'order the nodes so that every node comes after its inputs',
  params: [],
  run: (graph) => sortByExecutionOrder(graph),
})
