import t from 'tap'
import {setDevice} from '../../src/transforms/setDevice.js'
import {removeDevice} from '../../src/transforms/removeDevice.js'
import {ctx, graph, n} from './graphFixtures.js'

const g = graph(n('a', 'Const'), {...n('b', 'Relu', ['a']), device: '/gpu:0'})

t.test('set_device', async (t) => {
  t.same(setDevice(g, ctx('set_device', [], [], {device: ['/cpu:0']})).node.map((x) => x.device), ['/cpu:0', '/cpu:0'])
  t.same(setDevice(g, ctx('set_device', [], [], {device: ['/cpu:0'], if_default: ['true']})).node.map((x) => x.device), ['/cpu:0', '/gpu:0'], 'if_default: only nodes without a device')
  t.notOk('device' in setDevice(g, ctx('set_device')).node[1], 'device "" is written as absent')
  t.throws(() => setDevice(g, ctx('set_device', [], [], {if_default: ['maybe']})), /as a boolean/)
})

t.test('remove_device', async (t) => {
  t.same(removeDevice(g).node.map((x) => 'device' in x), [false, false])
})
