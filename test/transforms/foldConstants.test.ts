import t from 'tap'
import {foldConstants, importOrder} from '../../src/transforms/foldConstants.js'
import {transformGraph} from '../../src/transforms/transformGraph.js'
import {byName, ctx, f, floatConst, graph, n, names, placeholder, valueOf} from './graphFixtures.js'

const g = () =>
  graph(
    floatConst('a', [2], [1, 2]),
    floatConst('b', [2], [10, 20]),
    f('sum', 'Add', ['a', 'b']),
    floatConst('s', [], [3]),
    f('scaled', 'Mul', ['sum', 's']),
    placeholder('ctl'),
    f('scalar', 'Mul', ['s', 's', '^ctl']),
    placeholder('x', [-1, 2]),
    f('y', 'Add', ['x', 'scaled']),
    f('z', 'Mul', ['y', 'scalar']),
  )

t.test('constant subgraphs become Consts named <producer>/_<k>__cf__<k>', async (t) => {
  const r = await foldConstants(g(), ctx('fold_constants', ['x'], ['z']))
  t.same(names(r), ['ctl', 'y', 'z', 'scaled/_0__cf__0', 'scalar/_1__cf__1', 'x'], 'folded nodes pruned; new Consts last; the fed input re-appended at the end')
  t.same(byName(r, 'y').input, ['x:0', 'scaled/_0__cf__0'], 'fed inputs are written name:port (ReplaceSendRecvs)')
  t.same(byName(r, 'z').input, ['y', 'scalar/_1__cf__1'])
  const folded = byName(r, 'scaled/_0__cf__0')
  t.same(Array.from(valueOf(folded).data as Float32Array), [33, 66])
  t.ok(folded.attr.value.tensor!.tensorContent, 'more than one element: tensor_content')
  const scalar = byName(r, 'scalar/_1__cf__1')
  t.same(scalar.attr.value.tensor!.floatVal, [9], 'one element: the typed field')
  t.same(scalar.input, ['^ctl'], 'non-constant control dependencies are carried over')
  const noop = graph(floatConst('s', [], [3]), n('gate', 'NoOp'), f('sq', 'Mul', ['s', 's', '^gate']), placeholder('x'), f('o', 'Mul', ['x', 'sq']))
  const r2 = await foldConstants(noop, ctx('fold_constants', ['x'], ['o']))
  t.same(byName(r2, 'sq/_0__cf__0').input, [], 'a NoOp counts as constant (it has a CPU kernel), so no dependency remains')
  t.same(scalar.attr.dtype, {type: 1})
})

t.test('exclude_op, exclude_node, size limit, nothing to fold', async (t) => {
  const noMul = await foldConstants(g(), ctx('fold_constants', ['x'], ['z'], {exclude_op: ['Mul']}))
  t.same(names(noMul), ['s', 'scaled', 'ctl', 'scalar', 'y', 'z', 'sum/_0__cf__0', 'x'], 'only the Add folds (and its inputs are pruned)')
  t.same(byName(noMul, 'scaled').input, ['sum/_0__cf__0', 's'])
  const noNode = await foldConstants(g(), ctx('fold_constants', ['x'], ['z'], {exclude_node: ['sum', 'scalar']}))
  t.ok(noNode.node.some((x) => x.name === 'scalar' && x.op === 'Mul'), 'excluded node kept')
  const small = await foldConstants(g(), ctx('fold_constants', ['x'], ['z'], {max_constant_size_in_bytes: ['4']}))
  t.ok(byName(small, 'y').input.includes('scaled'), '8-byte result over the limit is not replaced')
  t.ok(small.node.some((x) => x.name === 'scalar/_0__cf__0'), 'the 4-byte one is, and numbering counts replacements only')
  const plain = graph(floatConst('c', [], [1]), placeholder('p'), f('o', 'Add', ['p', 'c']))
  t.same(names(await foldConstants(plain, ctx('fold_constants', ['p'], ['o']))), ['c', 'o', 'p'], 'only Const leaves: nothing folds, the placeholder still moves last')
})

t.test('import order, input canonicalization, _output_shapes', async (t) => {
  t.same(importOrder([n('c', 'Relu', ['b']), n('a', 'Const'), n('b', 'Relu', ['a'])]), [1, 2, 0], 'smallest ready index first')
  const messy = graph(
    n('a', 'Const', [], {_output_shapes: {list: {}}}),
    f('r', 'Relu', ['a:0', '^k', '^b', '^k']),
    n('k', 'NoOp'),
    n('b', 'NoOp'),
  )
  const r = await foldConstants(messy, ctx('fold_constants', [], ['r']))
  t.same(byName(r, 'r').input, ['a', '^b', '^k'], 'port 0 unwritten, control inputs deduplicated and sorted')
  t.notOk('_output_shapes' in byName(r, 'a').attr)
  const kept = await foldConstants(messy, ctx('fold_constants', [], ['r'], {clear_output_shapes: ['false']}))
  t.ok('_output_shapes' in byName(kept, 'a').attr, 'clear_output_shapes=false keeps them')
})

t.test('errors and ignore_errors through the driver', async (t) => {
  await t.rejects(foldConstants(graph(n('a', 'Const')), ctx('fold_constants', [], ['nothere'])), /fold_constants: output 'nothere' names no node/)
  const notPlaceholder = graph(floatConst('c', [], [1]), f('r', 'Relu', ['c']), f('o', 'Neg', ['r']))
  await t.rejects(foldConstants(notPlaceholder, ctx('fold_constants', ['r'], ['o'])), /input 'r' was expected to be a Placeholder or PlaceholderWithDefault op, but was Relu/)
  const r = await transformGraph(notPlaceholder, 'fold_constants(ignore_errors=true)', {inputs: ['r'], outputs: ['o']})
  t.match(r.steps[0].ignoredError, /expected to be a Placeholder/)
  t.same(names(r.graph), names(notPlaceholder), 'graph passed through unchanged')
})

t.test('Shape, Size and Rank of statically known shapes fold', async (t) => {
  const g = graph(
    placeholder('x', [2, 3]),
    n('shape', 'Shape', ['x'], {T: {type: 1}, out_type: {type: 3}}),
    n('size', 'Size', ['x'], {T: {type: 1}, out_type: {type: 9}}),
    f('r', 'Reshape', ['x', 'shape'], {Tshape: {type: 3}}),
    n('cast', 'Cast', ['size'], {SrcT: {type: 9}, DstT: {type: 1}}),
    f('o', 'Mul', ['r', 'cast']),
  )
  const r = await foldConstants(g, ctx('fold_constants', [], ['o']))
  t.same(byName(r, 'r').input, ['x', 'shape/_0__cf__0'])
  t.same(Array.from(valueOf(byName(r, 'shape/_0__cf__0')).data as Int32Array), [2, 3])
  const size = valueOf(byName(r, byName(r, 'o').input[1]))
  t.same([size.dtype, Array.from(size.data as Float32Array)], ['float32', [6]], 'Size (int64) then Cast folded together')
  const unknown = graph(placeholder('x', [-1, 3]), n('shape', 'Shape', ['x'], {T: {type: 1}, out_type: {type: 3}}), f('r', 'Reshape', ['x', 'shape'], {Tshape: {type: 3}}))
  t.same(byName(await foldConstants(unknown, ctx('fold_constants', [], ['r'])), 'r').input, ['x', 'shape'], 'an unknown dim: no folding')
})
