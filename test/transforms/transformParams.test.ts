import t from 'tap'
import {parseTransforms, TransformContext} from '../../src/transforms/transformParams.js'
import {AxqError} from '../../src/errors.js'

const plain = (text: string) => parseTransforms(text).map((s) => [s.name, Object.fromEntries(s.params)])

t.test('grammar of TensorFlow transform_graph', async (t) => {
  t.same(plain(''), [])
  t.same(plain('   \n '), [])
  t.same(plain('fold_batch_norms'), [['fold_batch_norms', {}]])
  t.same(plain('  a b\tc\n'), [['a', {}], ['b', {}], ['c', {}]])
  t.same(plain('remove_nodes(op=Identity, op=CheckNumerics)'), [['remove_nodes', {op: ['Identity', 'CheckNumerics']}]], 'repeated names accumulate in order')
  t.same(plain('strip_unused_nodes(type=float, shape="1,299,299,3")'), [['strip_unused_nodes', {type: ['float'], shape: ['1,299,299,3']}]])
  t.same(plain('rename_op(old_op_name=QuantizedConv2D,new_op_name=AxConv2D)'), [['rename_op', {old_op_name: ['QuantizedConv2D'], new_op_name: ['AxConv2D']}]])
  t.same(plain('x(a=./b-c/d_e.f)'), [['x', {a: ['./b-c/d_e.f']}]], 'unquoted values: letters, digits, - . / _')
  t.same(plain('x(a="b\\"c")'), [['x', {a: ['b\\"c']}]], 'escapes are kept verbatim')
  t.same(plain('x(a="")'), [['x', {a: ['']}]], 'empty quoted value')
  t.same(plain('x()'), [['x', {}]])
})

t.test('whitespace rules and errors', async (t) => {
  t.throws(() => parseTransforms('x (a=1)'), /expected a transform name, but found '\(a=1\)'/, 'no space between name and (')
  t.throws(() => parseTransforms('x(a =1)'), /expected '=' after x\(a/, 'no space before =')
  t.throws(() => parseTransforms('x(a= 1)'), /expected a value for x\(a=/, 'no space after =')
  t.throws(() => parseTransforms('x(a=1 )'), /expected a parameter name/, 'no space before )')
  t.throws(() => parseTransforms('x(a=1:2)'), /expected a parameter name/, 'a colon needs quotes')
  t.throws(() => parseTransforms('x(a="1'), /unterminated quoted value/)
  t.throws(() => parseTransforms('x(a=1'), /missing '\)'/, 'TensorFlow silently drops an unclosed transform; axq refuses it')
  t.throws(() => parseTransforms('fold(!)'), AxqError)
  t.same(plain('x(a=1, b=2)'), [['x', {a: ['1'], b: ['2']}]], 'space allowed after a comma')
})

t.test('parameter getters', async (t) => {
  const c = new TransformContext('demo', [], [], new Map([['n', ['42']], ['twice', ['1', '2']], ['b', ['true']], ['f', ['0.1']], ['bad', ['x']], ['b0', ['0']]]))
  t.equal(c.int32('n', 7), 42)
  t.equal(c.int32('missing', 7), 7, 'default when absent')
  t.throws(() => c.string('twice', ''), /expected a single 'twice' parameter, but found 2 occurrences/)
  t.throws(() => c.int32('bad', 0), /couldn't interpret the bad argument as a number/)
  t.equal(c.bool('b', false), true)
  t.equal(c.bool('b0', true), false)
  t.throws(() => c.bool('n', false), /expected true, false, 0 or 1/)
  t.equal(c.float('f', 0), Math.fround(0.1), 'floats are float32')
  t.throws(() => c.float('bad', 0), /as a float number/)
  t.throws(() => new TransformContext('x', [], [], new Map([['n', ['3000000000']]])).int32('n', 0), /as a number/)
  t.throws(() => c.checkKnown(['n']), /demo: unknown parameter '(twice|b|f|bad|b0)' \(accepted: ignore_errors, n\)/)
})
