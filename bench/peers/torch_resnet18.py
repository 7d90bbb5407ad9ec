#!/usr/bin/python3
"""Peer for DeepSharp's resnet18-infer and resnet18-finetune workloads, PyTorch CPU, random data and weights.

The network is the one Applications.ResNet18 imports from the ONNX file of Microsoft.ML.DnnImageFeaturizer.ResNet18
(CNTK's ResNet-18), built by hand:
  preprocessing (RGB->BGR, minus a mean image), conv 7x7/2 (64) + BN + ReLU, max pool 3x3/2,
  BasicBlocks [2, 2, 2, 3] with 64/128/256/512 channels (two 3x3 convs without bias, each with BN; the first block of
  stages 2-4 has stride 2 and a 1x1/2 convolution + BN shortcut), global average pooling -> 512 features.
The ONNX file pads the stride-2 convolutions and the max pool asymmetrically (top/left one more); torch pads both sides,
which gives the same output sizes and the same multiply-adds.
Fine-tuning as DeepSharp's workload: the base frozen (inference-mode batch norm, no weight gradients) except its last
stage (the three 512-channel blocks), then Linear(512, 256) + ReLU + Linear(256, 1), RMSprop(lr=1e-5, alpha=0.9,
eps=1e-7), binary crossentropy (sigmoid folded into BCEWithLogits).

Usage: /usr/bin/python3 torch_resnet18.py [--threads 2] [--infer-batch 32] [--infer-iters 5] [--batch 16] [--steps 10]
"""
import argparse, os, resource, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--infer-batch", type=int, default=32)
ap.add_argument("--infer-warmup", type=int, default=2)
ap.add_argument("--infer-iters", type=int, default=5)
ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--warmup", type=int, default=3)
ap.add_argument("--steps", type=int, default=10)
ap.add_argument("--size", type=int, default=224)
args = ap.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
print(f"torch {torch.__version__}  threads={torch.get_num_threads()}  ATEN_CPU_CAPABILITY={os.environ.get('ATEN_CPU_CAPABILITY')}")

_TCK = os.sysconf("SC_CLK_TCK")


def cpu_snap():
    """wall, own cpu, own minor faults, whole-machine busy cpu -> contention / page-fault report."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / _TCK
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime + r.ru_stime, r.ru_minflt, busy


def cpu_report(a, b):
    wall, own, flt, busy = (y - x for x, y in zip(a, b))
    return f"own_cpu/wall={own / wall:.2f} minflt={flt:.0f} other_cpu/wall={max(busy - own, 0) / wall:.2f}"


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet18Base(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.register_buffer("mean", torch.rand(1, 3, size, size) * 255)
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        stages, cin = [], 64
        for blocks, cout, stride in [(2, 64, 1), (2, 128, 2), (2, 256, 2), (3, 512, 2)]:
            layers = []
            for b in range(blocks):
                layers.append(BasicBlock(cin, cout, stride if b == 0 else 1))
                cin = cout
            stages.append(nn.Sequential(*layers))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages

    def forward(self, x):
        x = x.flip(1) - self.mean                      # RGB -> BGR, minus the mean image (0-255 inputs)
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


def count_flop(model, x):
    """2 x multiply-adds of every Conv2d and Linear on one image (what DeepSharp's workloads count)."""
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            total[0] += 2 * out[0].numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
        elif isinstance(m, nn.Linear):
            total[0] += 2 * m.in_features * m.out_features

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(x[:1])
    for h in hs:
        h.remove()
    return total[0]


base = ResNet18Base(args.size)
print("resnet18 base params:", sum(p.numel() for p in base.parameters()))

# ---- inference: the base, eval mode, no grad ----
base.eval()
xi = torch.rand(args.infer_batch, 3, args.size, args.size) * 255
print(f"resnet18 forward GFLOP per image: {count_flop(base, xi) / 1e9:.3f}")
with torch.no_grad():
    print("resnet18 output:", tuple(base(xi).shape))
    for _ in range(args.infer_warmup - 1):
        base(xi)
    times = []
    s0 = cpu_snap()
    for _ in range(args.infer_iters):
        t0 = time.perf_counter()
        base(xi)
        times.append(time.perf_counter() - t0)
    rep = cpu_report(s0, cpu_snap())
med = statistics.median(times)
print(f"resnet18 infer ({args.size}x{args.size}, batch {args.infer_batch}, {args.infer_iters} iters): median {med:.4f}s/batch  "
      f"min {min(times):.4f}s  -> {args.infer_batch / med:.1f} img/s (median), {args.infer_batch / min(times):.1f} img/s (best)  {rep}")
del xi

# ---- fine-tuning: last stage + head trainable ----
head = nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 1))
for p in base.parameters():
    p.requires_grad_(False)
for p in base.layer4.parameters():
    p.requires_grad_(True)
base.eval()                 # frozen batch norm: moving statistics, never updated
base.layer4.train()         # the unfrozen stage's batch norm: batch statistics, as DeepSharp's trainable BN in a training step
head.train()
params = [p for p in list(base.parameters()) + list(head.parameters()) if p.requires_grad]
print("fine-tune trainable params:", sum(p.numel() for p in params))
opt = torch.optim.RMSprop(params, lr=1e-5, alpha=0.9, eps=1e-7)
x = torch.rand(args.batch, 3, args.size, args.size) * 255
y = torch.randint(0, 2, (args.batch,)).float()


def step():
    opt.zero_grad(set_to_none=True)
    loss = F.binary_cross_entropy_with_logits(head(base(x)).squeeze(1), y)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(args.warmup):
    step()
times = []
s0 = cpu_snap()
for _ in range(args.steps):
    t0 = time.perf_counter()
    step()
    times.append(time.perf_counter() - t0)
rep = cpu_report(s0, cpu_snap())
med = statistics.median(times)
print(f"resnet18 finetune step (batch {args.batch}, {args.steps} steps after {args.warmup} warm-up): median {med:.4f}s  "
      f"mean {statistics.mean(times):.4f}s  min {min(times):.4f}s  max {max(times):.4f}s  -> {args.batch / med:.1f} img/s (median)  {rep}")
