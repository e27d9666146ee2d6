"""The graph's machinery beyond the tutorial's per-step updates, each a part the GAN builds from
what it hands in: the in-graph loops, which run many training (or pretraining) steps inside one
`tf.while_loop` per `session.run` (compiled with XLA under --xla), and the evaluation ops, G on
the grid's noise and D on its x, for one run or every member of a population at once."""

import numpy as np

from .lazy import tf, tf2
from .metrics import EVAL_POINTS
from .sources import units_of


def in_graph_loop(step_fn, num_steps, num_outputs):
    """Runs step_fn(i) for i < num_steps inside one `tf.while_loop`; stacks its outputs, (T, ...) each."""
    arrays = [tf.TensorArray(tf.float32, size=num_steps) for _ in range(num_outputs)]

    def body(i, *arrays):
        outputs = step_fn(i)
        return (i + 1,) + tuple(a.write(i, o) for a, o in zip(arrays, outputs, strict=True))

    # one iteration at a time: each step must read the weights the previous step wrote
    result = tf.while_loop(lambda i, *_: i < num_steps, body, [tf.constant(0)] + arrays, parallel_iterations=1)
    return [a.stack() for a in result[1:]]


def after(update):
    """A (loss, update) pair as the loss read once the update has run."""
    loss, op = update
    with tf.control_dependencies([op]):
        return (tf.identity(loss),)


class TrainingLoops:
    """Placeholders for T steps of drawn batches, and the loop over them: step(x, zd, zg) is one
    training step (gan.alternate), (mean D loss, G loss); pretrain_step(d, labels) one (loss,
    update) of D_pre, or None without pretraining. losses: (T,) or (T, N) each; pre_loss: (T, ...)."""

    def __init__(self, batch_shape, d_steps, step, pretrain_step=None, xla=False):
        with tf.name_scope("train_loop"):
            self.x = tf.placeholder(tf.float32, [None, d_steps, *batch_shape], "x")  # (T, d_steps, [N,] B, 1)
            self.zd = tf.placeholder(tf.float32, [None, d_steps, *batch_shape], "z_d")
            self.zg = tf.placeholder(tf.float32, [None, *batch_shape], "z_g")  # (T, [N,] B, 1)

            def loop(x, zd, zg):
                return in_graph_loop(lambda i: step(x[i], zd[i], zg[i]), tf.shape(zg)[0], 2)

            if xla:  # one XLA computation, compiled once per chunk length: faster, not bit-identical
                # the step's control flow is Python's (tf.while_loop is explicit): AutoGraph's rewrite of it cost ~3 s
                loop = tf2.function(loop, jit_compile=True, autograph=False)
            self.losses = loop(self.x, self.zd, self.zg)
        if pretrain_step is None:
            return
        with tf.name_scope("pretrain_loop"):
            self.pre_d = tf.placeholder(tf.float32, [None, *batch_shape], "d")
            self.pre_labels = tf.placeholder(tf.float32, [None, *batch_shape], "labels")
            step_i = lambda i: after(pretrain_step(self.pre_d[i], self.pre_labels[i]))  # noqa: E731
            self.pre_loss = in_graph_loop(step_i, tf.shape(self.pre_d)[0], 1)

    def feed(self, x, zd, zg):
        return {self.x: x, self.zd: zd, self.zg: zg}


def variable_reads(tensors):
    """The reads of variables (ReadVariableOp) that tensors depend on, or None if a variable is also
    used otherwise. Fed their values, the tensors are computed on those values whatever the variables
    hold by then: an evaluation can run while training changes them (gan1d/monitor.py)."""
    seen, reads, todo = set(), [], [t.op for t in tensors]
    while todo:
        op = todo.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        if op.type == "ReadVariableOp":
            reads.append(op.outputs[0])
        elif op.type in ("VarHandleOp", "VariableV2"):  # reached by another path than a read
            return None
        else:
            todo.extend([t.op for t in op.inputs] + list(op.control_inputs))
    return sorted(reads, key=lambda t: t.name)


class EvaluationOps:
    """G on the grid's noise and D on its x, (N, n) each (N = 1 for a single run): G through its
    moving averages where it keeps them (--ema), D on packs of M copies of each x (--pack M). And
    what the samplers read (gan1d/samplers.py), each member on points of its own, ([N,] m, 1): G and
    its slope, D's logits and their gradient. All in the data's units: G's output is taken out of
    the model's units and D's input into them (a data file's standardisation; nothing for a
    synthetic target as the tutorial trains it)."""

    def __init__(self, model):
        self.model, self.units = model, units_of(model.args)
        n = model.n
        with tf.name_scope("eval"):
            self.z = tf.placeholder(tf.float32, (None, 1), "z")
            self.x = tf.placeholder(tf.float32, (None, 1), "x")
            z, x = (v if n is None else tf.tile(v[None], [n, 1, 1]) for v in (self.z, self.x))
            generated = self.to_data(self.generate(z))
            self.G = tf.reshape(generated, [-1, tf.shape(self.z)[0]])
            # dG/dz at each point, input scale included: G acts on each z alone, so the gradient of the sum
            # with respect to each member's copy of z is that member's slope there (gan1d/gap.py's L)
            self.slope = tf.reshape(tf.gradients(generated, z)[0], [-1, tf.shape(self.z)[0]])
            # which generator or latent component drew each point (gan1d/mixture.py), for the bound and figures
            self.index = None
            if model.mixture.on:
                self.index = tf.reshape(tf.argmax(model.mixture.positional(z), -1), [-1, tf.shape(self.z)[0]])
            self.bound_ops = [self.slope] + ([self.index] if model.mixture.on else [])
            self.D = tf.reshape(tf.sigmoid(self.logits_of(x)), [-1, tf.shape(self.x)[0]])
            self.histogram = tf.summary.histogram("generated", generated) if n is None else None  # eval/generated
            # what an evaluation reads of the variables: G's weights, and the steps behind the learning rates
            self.reads = variable_reads([self.G, *self.bound_ops, model.lr_d, model.lr_g])
        with tf.name_scope("read"):
            shape = ([n] if n else []) + [None, 1]
            self.member_z = tf.placeholder(tf.float32, shape, "z")
            self.member_x = tf.placeholder(tf.float32, shape, "x")
            self.member_G = self.to_data(self.generate(self.member_z))
            self.member_slope = tf.gradients(self.member_G, self.member_z)[0]
            self.logits = self.logits_of(self.member_x)
            # with minibatch discrimination a sample's logit also reads its group's: the gradient of the sum
            self.logit_grads = tf.gradients(self.logits, self.member_x)[0]

    def generate(self, z):
        """G(z) through its moving averages where it keeps them (--ema)."""
        model = self.model

        def ema_getter(getter, name, *args, **kwargs):
            return model.ema[name] if name in model.ema else getter(name, *args, **kwargs)

        return model.generate(z, custom_getter=ema_getter if model.ema else None)

    def to_data(self, generated):
        """G's output in the data's units."""
        return generated if self.units.identity else generated * self.units.scale + self.units.centre

    def logits_of(self, x):
        """D's logits of each x ([N,] m, 1) in the data's units, as packs of M copies of it (--pack M)."""
        if not self.units.identity:
            x = (x - self.units.centre) / self.units.scale
        pack = self.model.args.pack
        copies = tf.reshape(tf.tile(x, [1] * (x.shape.ndims - 1) + [pack]), x.shape[:-2].as_list() + [-1, 1])
        return self.model.discriminate(copies)


class FineTuning:
    """DRS's fine-tuning (Azadi et al. 2019; gan1d/samplers.py): T updates of D alone, G fixed, in one
    `session.run`, each on a real batch and a noise batch, by optimizer on d_loss(l_real, l_fake), the
    logistic loss whatever --loss is, so that D's logit estimates log p_data / p_g of the samples G
    is read with (through its averages under --ema); loss: (T, ...)."""

    def __init__(self, model, optimizer, d_loss):
        def step(x, z):
            fake = tf.stop_gradient(model.evaluation.generate(z))
            loss = d_loss(model.discriminate(x), model.discriminate(fake))
            return loss, optimizer.minimize(loss, model.d_params)

        batch_shape = model.batch_shape
        with tf.name_scope("fine_tune"):
            self.x = tf.placeholder(tf.float32, [None, *batch_shape], "x")  # (T, [N,] B, 1)
            self.z = tf.placeholder(tf.float32, [None, *batch_shape], "z")
            self.loss = in_graph_loop(lambda i: after(step(self.x[i], self.z[i])), tf.shape(self.x)[0], 1)

    def feed(self, x, z):
        return {self.x: x, self.z: z}


def evaluate_grid(session, model, grid, extra=(), decision=True, weights=None):
    """G on the z grid and, if asked, D on the x grid (grouped by batch), in one `session.run`:
    (N, n) each, N = 1 for a single run. weights: {read of a variable: its value} to evaluate G with
    instead of what the variables hold (EvaluationOps.reads)."""
    ops = model.evaluation
    fetches, feed = [ops.G, *extra], {ops.z: grid.zs[:, None], **(weights or {})}
    if decision:
        fetches.append(ops.D)
        feed[ops.x] = grid.xs[grid.groups, None]
    fetched = session.run(fetches, feed)
    boundary = None
    if decision:
        boundary = np.empty((len(fetched[0]), EVAL_POINTS))
        boundary[:, grid.groups] = fetched[-1]  # overlapping points of the last group take its values
    return fetched[0], boundary, fetched[1 : 1 + len(extra)]
