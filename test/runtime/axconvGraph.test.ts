/**
 * AxConv2D inside the whole quantized ResNet-8: the logits are identical with the fast kernel on
 * 1 or 2 threads and with the reference kernel (AXQ_KERNEL=reference), for an approximate
 * multiplier with tuning. Reads ../shared in place.
 */
import t from 'tap'
import {readGraph} from '../../src/graph/graphIO.js'
import {Session} from '../../src/runtime/session.js'
import '../../src/runtime/ops/index.js'
import {openDataset} from '../../src/data/dataset.js'
import {resolveMultiplier} from '../../src/mults/resolve.js'
import {makeAttr} from '../../src/graph/attrs.js'
import {hasShared, shared} from '../helpers/paths.js'

t.test('ResNet-8 logits do not depend on the kernel or the thread count', {skip: hasShared ? false : 'needs ../shared'}, async (t) => {
  const graph = readGraph(shared('models', 'resnet_8_quant_ax.pb'))
  const convs = graph.node.filter((n) => n.op === 'AxConv2D')
  t.equal(convs.length, 7)
  for (const n of convs) {
    n.attr.AxMult = makeAttr.string('mul8u_L40')
    n.attr.AxTune = makeAttr.bool(true)
  }
  const table = resolveMultiplier('mul8u_L40', {multDirs: [shared('axmult')]}).table
  const placeholder = graph.node.find((n) => n.op === 'Placeholder')!
  const used = new Set(graph.node.flatMap((n) => n.input.map((i) => i.replace(/^\^/, '').split(':')[0])))
  const sink = graph.node.find((n) => !used.has(n.name) && n.op !== 'Const' && n.op !== 'NoOp')!
  const batch = openDataset(shared('cifar10', 'test_first1000.bin')).batch(0, 6)
  const logits = async (threads: number, kernel?: string): Promise<Float32Array> => {
    if (kernel) process.env.AXQ_KERNEL = kernel
    else delete process.env.AXQ_KERNEL
    try {
      const session = new Session(graph, {threads, resolveMultiplier: () => table})
      const [out] = await session.run({[placeholder.name]: batch.images}, [sink.name])
      return out.data as Float32Array
    } finally {
      delete process.env.AXQ_KERNEL
    }
  }
  const fast2 = await logits(2)
  const fast1 = await logits(1)
  const reference = await logits(1, 'reference')
  t.equal(fast2.length, 6 * 11, 'logits of 6 images (the model has 11 classes)')
  t.same([...fast1], [...fast2], 'fast kernel: 1 thread == 2 threads')
  t.same([...reference], [...fast2], 'reference kernel == fast kernel')

  // Later runs of one Session write the conv (and pool) outputs into recycled buffers that hold
  // the previous batch's values: the logits must equal those of a fresh Session.
  const other = openDataset(shared('cifar10', 'test_first1000.bin')).batch(6, 6)
  for (const kernel of [undefined, 'reference']) {
    if (kernel) process.env.AXQ_KERNEL = kernel
    try {
      const session = new Session(graph, {threads: 2, resolveMultiplier: () => table})
      const fresh = new Session(graph, {threads: 2, resolveMultiplier: () => table})
      const [a1] = await session.run({[placeholder.name]: batch.images}, [sink.name])
      const [b] = await session.run({[placeholder.name]: other.images}, [sink.name])
      const [a2] = await session.run({[placeholder.name]: batch.images}, [sink.name])
      const [bFresh] = await fresh.run({[placeholder.name]: other.images}, [sink.name])
      t.same([...(a1.data as Float32Array)], [...fast2], `${kernel ?? 'fast'}: first run`)
      t.same([...(b.data as Float32Array)], [...(bFresh.data as Float32Array)], `${kernel ?? 'fast'}: second batch == a fresh Session's`)
      t.notSame([...(b.data as Float32Array)], [...fast2], 'the two batches differ')
      t.same([...(a2.data as Float32Array)], [...fast2], `${kernel ?? 'fast'}: third run (recycled buffers) == first`)
    } finally {
      delete process.env.AXQ_KERNEL
    }
  }
})
