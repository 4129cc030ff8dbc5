#!/usr/bin/env python3
"""PyTorch mirror of this project's DsaNet, timed like `dsa bench train` (the reference for --compare).

Builds, from the cases file `dsa bench train` writes (--models / *.models.json: per case the full
ModelConfig and TorchSharp's parameter counts), the same network as src/Dsa/Nn: HRNet (HRNet.cs,
HighResolutionModule.cs, HrnetResidualBlock.cs; stem width and layer1 depth from the config),
the symmetric U-Net-like alignment (SymmetricAlignment.cs, AlignmentStage.cs) of GAB
(GlobalAlignmentBlock.cs: modulated deformable conv, torchvision.ops.deform_conv2d) and LEB
(LocalEnhancementBlock.cs + AdaptiveConv2d.cs: affine field -> deform_conv2d offsets, no mask), and
the head (PoseHead.cs, ResidualBlock.cs). It asserts that its parameter counts equal TorchSharp's,
so both time the same architecture. Only what cpu-small and its single-frame / frozen-backbone
variants use is implemented (BASIC stage blocks, SymmetricUNet, shared aligner, sigmoid mask,
one offset group); anything else is refused.

One step = forward + JointsMSELoss (0.5 * mean of weighted squared error) + backward + Adam step on
random input [B, T, 3, H, W]; median of --steps after --warmup; peak memory = VmHWM reset before each
case. A frozen backbone runs under no_grad in eval mode and is not given to Adam (DsaNet.cs).

With --profile (as `dsa bench train --profile`): each step also reads the loss (.item(), as the Trainer
does), every phase is timed (zero_grad, forward, loss, backward, Adam step, item; the forward split into
backbone / alignment / head by forward pre-hooks on the aligner's and the head's modules: the model's own
forward, nothing rewritten), medians over the timed steps go to "profile", and the runtime settings
(threads, oneDNN, parallel_info, show_config, memory formats) to "settings": the fields of
TrainStepProfile and TrainRuntimeSettings.

Needs Debian's python3-torch and python3-torchvision (/usr/bin/python3). Writes a JSON list with the
fields of TrainBenchmarkResult (camelCase) to --json and prints a table.
"""
import argparse
import json
import re
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.ops import deform_conv2d

from peak_memory import peak_resident_bytes, reset_peak


def conv_bn_relu(cin, cout, k, stride=1):
    # Layers.ConvBnRelu: conv(no bias) - BN - ReLU, padding k // 2
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class HrnetBlock(nn.Module):
    """HrnetResidualBlock.cs: BASIC (expansion 1) or BOTTLENECK (expansion 4); projection when the width changes."""

    def __init__(self, bottleneck, inplanes, planes):
        super().__init__()
        self.bottleneck = bottleneck
        out = planes * (4 if bottleneck else 1)
        if bottleneck:
            self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(out)
        else:
            self.conv1 = nn.Conv2d(inplanes, planes, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = nn.Sequential(nn.Conv2d(inplanes, out, 1, bias=False), nn.BatchNorm2d(out)) if inplanes != out else None

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if self.bottleneck:
            y = self.bn3(self.conv3(F.relu(y)))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


def branch_channels(stage, i):
    return stage["numChannels"][i] * (4 if stage["block"] == "Bottleneck" else 1)


class HighResolutionModule(nn.Module):
    """HighResolutionModule.cs: branches, then fusion (sum in order j = 0, 1, ..., ReLU)."""

    def __init__(self, stage, multi_scale_output):
        super().__init__()
        n = stage["numBranches"]
        c = [branch_channels(stage, i) for i in range(n)]
        bottleneck = stage["block"] == "Bottleneck"
        self.branches = nn.ModuleList(
            nn.Sequential(*[HrnetBlock(bottleneck, c[i], stage["numChannels"][i]) for _ in range(stage["numBlocks"][i])]) for i in range(n))
        self.fuse_layers = None
        if n == 1:
            return
        rows = []
        for i in range(n if multi_scale_output else 1):
            row = []
            for j in range(n):
                if j == i:
                    row.append(None)
                elif j > i:
                    row.append(nn.Sequential(nn.Conv2d(c[j], c[i], 1, bias=False), nn.BatchNorm2d(c[i]),
                                             nn.Upsample(scale_factor=2 ** (j - i), mode="nearest")))
                else:
                    steps = []
                    for k in range(i - j):
                        last = k == i - j - 1
                        out = c[i] if last else c[j]
                        layers = [nn.Conv2d(c[j], out, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(out)]
                        if not last:
                            layers.append(nn.ReLU())
                        steps.append(nn.Sequential(*layers))
                    row.append(nn.Sequential(*steps))
            rows.append(nn.ModuleList(row))
        self.fuse_layers = nn.ModuleList(rows)

    def forward(self, x):
        y = [b(xi) for b, xi in zip(self.branches, x)]
        if self.fuse_layers is None:
            return y
        fused = []
        for i, row in enumerate(self.fuse_layers):
            s = y[0] if i == 0 else row[0](y[0])
            for j in range(1, len(y)):
                s = s + (y[j] if j == i else row[j](y[j]))
            fused.append(F.relu(s))
        return fused


class HRNet(nn.Module):
    """HRNet.cs without final_layer: Features(x) [B, 3, H, W] -> [B, C0, H/4, W/4]."""

    def __init__(self, cfg):
        super().__init__()
        stem = cfg["stemChannels"]
        self.conv1 = nn.Conv2d(3, stem, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.conv2 = nn.Conv2d(stem, stem, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(stem)
        layer1_out = stem * 4
        self.layer1 = nn.Sequential(*[HrnetBlock(True, stem if b == 0 else layer1_out, stem) for b in range(cfg["layer1Blocks"])])
        stages = [cfg["stage2"], cfg["stage3"], cfg["stage4"]]
        previous = [layer1_out]
        self.transitions = nn.ModuleList()
        self.stages = nn.ModuleList()
        for s, stage in enumerate(stages):
            cur = [branch_channels(stage, i) for i in range(stage["numBranches"])]
            self.transitions.append(nn.ModuleList(self.transition(previous, cur)))
            last_stage = s == len(stages) - 1
            self.stages.append(nn.ModuleList(
                HighResolutionModule(stage, (not last_stage) or m < stage["numModules"] - 1) for m in range(stage["numModules"])))
            previous = cur
        self.feature_channels = branch_channels(cfg["stage4"], 0)

    @staticmethod
    def transition(pre, cur):
        layers = []
        for i in range(len(cur)):
            if i < len(pre):
                layers.append(None if pre[i] == cur[i] else
                              nn.Sequential(nn.Conv2d(pre[i], cur[i], 3, padding=1, bias=False), nn.BatchNorm2d(cur[i]), nn.ReLU()))
                continue
            steps = i + 1 - len(pre)
            chain = []
            for k in range(steps):
                cin = pre[-1]
                cout = cur[i] if k == steps - 1 else cin
                chain.append(nn.Sequential(nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()))
            layers.append(nn.Sequential(*chain))
        return layers

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        branches = [self.layer1(y)]
        for transition, stage in zip(self.transitions, self.stages):
            branches = [t(branches[-1]) if t is not None else branches[i] for i, t in enumerate(transition)]
            for module in stage:
                branches = module(branches)
        return branches[0]


class GlobalAlignmentBlock(nn.Module):
    """GlobalAlignmentBlock.cs (eq. 1-3): theta, M from [F_t, F_s]; M = sigmoid; modulated deformable 3x3 conv of F_s."""

    def __init__(self, c):
        super().__init__()
        self.offset_predictor = self.predictor(c, 18)
        self.mask_predictor = self.predictor(c, 9)
        self.weight = nn.Parameter(torch.empty(c, c, 3, 3))
        self.bias = nn.Parameter(torch.empty(c))
        nn.init.kaiming_uniform_(self.weight, a=5 ** 0.5)
        nn.init.uniform_(self.bias, -1 / (c * 9) ** 0.5, 1 / (c * 9) ** 0.5)
        for p in (self.offset_predictor[-1], self.mask_predictor[-1]):  # zero init (GabOptions.ZeroInit)
            nn.init.zeros_(p.weight)
            nn.init.zeros_(p.bias)

    @staticmethod
    def predictor(c, out):
        return nn.Sequential(nn.Conv2d(2 * c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, out, 3, padding=1))

    def forward(self, key, support):
        pair = torch.cat([key, support], 1)
        offset = self.offset_predictor(pair)
        mask = torch.sigmoid(self.mask_predictor(pair))
        return deform_conv2d(support, offset, self.weight, self.bias, padding=(1, 1), mask=mask)


def affine_to_offset_map():
    """AdaptiveConv2d.BuildMap: offset of tap r = (Q - I) r + k, torchvision layout (row, column per tap)."""
    m = torch.zeros(18, 6)
    shift = torch.zeros(18)
    for tap in range(9):
        ry, rx = tap // 3 - 1, tap % 3 - 1
        m[2 * tap, 0], m[2 * tap, 1], m[2 * tap, 4] = ry, rx, 1
        shift[2 * tap] = -ry
        m[2 * tap + 1, 2], m[2 * tap + 1, 3], m[2 * tap + 1, 5] = ry, rx, 1
        shift[2 * tap + 1] = -rx
    return m, shift.view(1, 18, 1, 1)


class LocalEnhancementBlock(nn.Module):
    """LocalEnhancementBlock.cs (eq. 4-6): affine field = I + phi([F^_s, F_t]); adaptive conv = deform_conv2d with affine offsets, no mask."""

    def __init__(self, c):
        super().__init__()
        self.affine_predictor = nn.Sequential(
            nn.Conv2d(2 * c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
            nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
            nn.Conv2d(c, 6, 3, padding=1))
        nn.init.zeros_(self.affine_predictor[-1].weight)
        nn.init.zeros_(self.affine_predictor[-1].bias)
        self.weight = nn.Parameter(torch.empty(c, c, 3, 3))
        self.bias = nn.Parameter(torch.empty(c))
        nn.init.kaiming_uniform_(self.weight, a=5 ** 0.5)
        nn.init.uniform_(self.bias, -1 / (c * 9) ** 0.5, 1 / (c * 9) ** 0.5)
        m, shift = affine_to_offset_map()
        self.register_buffer("map", m, persistent=False)
        self.register_buffer("shift", shift, persistent=False)
        self.register_buffer("identity", torch.tensor([1.0, 0, 0, 1, 0, 0]).view(1, 6, 1, 1), persistent=False)

    def forward(self, aligned, key):
        affine = self.affine_predictor(torch.cat([aligned, key], 1)) + self.identity
        offset = torch.einsum("om,bmhw->bohw", self.map, affine) + self.shift
        return deform_conv2d(aligned, offset, self.weight, self.bias, padding=(1, 1))


class AlignmentStage(nn.Module):
    """AlignmentStage.cs: GAB then LEB (either may be off)."""

    def __init__(self, c, cfg):
        super().__init__()
        self.gab = GlobalAlignmentBlock(c) if cfg["useGab"] else None
        self.leb = LocalEnhancementBlock(c) if cfg["useLeb"] else None

    def forward(self, key, support):
        x = support
        if self.gab is not None:
            x = self.gab(key, x)
        if self.leb is not None:
            x = self.leb(x, key)
        return x


class SymmetricAlignment(nn.Module):
    """SymmetricAlignment.cs: encoder levels 0..S-1 (align, stride-2 downsampling of key and aligned support),
    decoder levels S-2..0 (bilinear up + 1x1, concat skip, 1x1 merge, align again)."""

    def __init__(self, c, cfg):
        super().__init__()
        s = cfg["alignmentScales"]
        self.levels = s
        self.encoder = nn.ModuleList(AlignmentStage(c, cfg) for _ in range(s))
        self.key_down = nn.ModuleList(conv_bn_relu(c, c, 3, 2) for _ in range(s - 1))
        self.support_down = nn.ModuleList(conv_bn_relu(c, c, 3, 2) for _ in range(s - 1))
        self.up = nn.ModuleList(conv_bn_relu(c, c, 1) for _ in range(s - 1))
        self.merge = nn.ModuleList(conv_bn_relu(2 * c, c, 1) for _ in range(s - 1))
        self.decoder = nn.ModuleList(AlignmentStage(c, cfg) for _ in range(s - 1))

    def forward(self, key, support):
        keys = [key]
        for s in range(1, self.levels):
            keys.append(self.key_down[s - 1](keys[-1]))
        skips = []
        x = support
        for s in range(self.levels):
            if s > 0:
                x = self.support_down[s - 1](skips[s - 1])
            skips.append(self.encoder[s](keys[s], x))
        d = skips[-1]
        for s in range(self.levels - 2, -1, -1):
            up = self.up[s](F.interpolate(d, size=keys[s].shape[2:], mode="bilinear", align_corners=False))
            d = self.decoder[s](keys[s], self.merge[s](torch.cat([up, skips[s]], 1)))
        return d


class ResidualBlock(nn.Module):
    """ResidualBlock.cs: conv3x3-BN-ReLU-conv3x3-BN + identity, ReLU."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + x)


class PoseHead(nn.Module):
    """PoseHead.cs: 1x1 reduce (T*C -> C), fusion residual blocks, 3x3 ConvBnRelu layers, final 3x3 conv to J."""

    def __init__(self, cin, c, joints, fusion_blocks, head_layers):
        super().__init__()
        self.reduce = conv_bn_relu(cin, c, 1)
        self.fusion = nn.Sequential(*[ResidualBlock(c) for _ in range(fusion_blocks)])
        self.head = nn.Sequential(*[conv_bn_relu(c, c, 3) for _ in range(head_layers)])
        self.final_layer = nn.Conv2d(c, joints, 3, padding=1)

    def forward(self, x):
        return self.final_layer(self.head(self.fusion(self.reduce(x))))


class DsaNet(nn.Module):
    """DsaNet.cs: shared backbone over all T frames, one shared aligner over the B*(T-1) (key, support) pairs, concat, head."""

    def __init__(self, cfg):
        super().__init__()
        refuse = []
        if any(st["block"] != "Basic" for st in (cfg["backbone"]["stage2"], cfg["backbone"]["stage3"], cfg["backbone"]["stage4"])):
            refuse.append("stage blocks other than Basic")
        if cfg["alignment"] != "SymmetricUNet":
            refuse.append(f"alignment {cfg['alignment']}")
        if not cfg["shareAlignmentAcrossFrames"]:
            refuse.append("unshared aligners")
        gab = cfg["gab"]
        if not gab["deformable"] or not gab["sigmoidMask"] or gab["offsetGroups"] != 1 or gab["dilation"] != 1:
            refuse.append(f"GAB options {gab}")
        if refuse:
            raise SystemExit("dsa_train_bench.py mirrors only cpu-small-like models; this case has " + ", ".join(refuse))
        self.cfg = cfg
        self.frames = 1 + len(cfg["supportOffsets"])
        self.backbone = HRNet(cfg["backbone"])
        c = self.backbone.feature_channels
        self.aligner = SymmetricAlignment(c, cfg) if self.frames > 1 else None
        self.head = PoseHead(self.frames * c, c, cfg["joints"], cfg["fusionBlocks"], cfg["headLayers"])
        self.freeze = cfg["freezeBackbone"]
        if self.freeze:
            for p in self.backbone.parameters():
                p.requires_grad_(False)

    def train(self, mode=True):
        super().train(mode)
        if self.freeze:
            self.backbone.eval()  # a frozen backbone keeps its BatchNorm statistics
        return self

    def forward(self, frames):  # [B, T, 3, H, W] -> [B, J, H/4, W/4]
        b, t = frames.shape[:2]
        flat = frames.reshape(b * t, *frames.shape[2:])
        if self.freeze:
            with torch.no_grad():
                features = self.backbone(flat)
        else:
            features = self.backbone(flat)
        c, h, w = features.shape[1:]
        per_frame = features.reshape(b, t, c, h, w)
        key = per_frame[:, 0]
        parts = [key]
        if t > 1:
            keys = key.unsqueeze(1).expand(b, t - 1, c, h, w).reshape(b * (t - 1), c, h, w)
            supports = per_frame[:, 1:].reshape(b * (t - 1), c, h, w)
            aligned = self.aligner(keys, supports).reshape(b, t - 1, c, h, w)
            parts += [aligned[:, i] for i in range(t - 1)]
        return self.head(torch.cat(parts, 1))


def memory_format(x):
    """TensorMemoryFormat.Describe: contiguous first (as ours), then channels_last for 4-d, else strided."""
    if x.is_contiguous():
        return "contiguous"
    if x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last):
        return "channels_last"
    return "strided"


class ForwardSplitClock:
    """ForwardSplitClock.cs: the moment the aligner starts (its first module call), and the head's start and end."""

    def __init__(self, model):
        self.has_aligner = model.aligner is not None
        self.head_input_format = self.output_format = None
        self.handles = []
        if model.aligner is not None:
            for m in model.aligner.modules():
                self.handles.append(m.register_forward_pre_hook(self.mark_alignment))
        self.handles.append(model.head.register_forward_pre_hook(self.head_start))
        self.handles.append(model.head.register_forward_hook(self.head_end))
        self.reset()

    def reset(self):
        self.alignment_start = self.head_started = self.head_ended = None

    def mark_alignment(self, module, inputs):
        if self.alignment_start is None:
            self.alignment_start = time.perf_counter()

    def head_start(self, module, inputs):
        self.head_started = time.perf_counter()
        if self.head_input_format is None:
            self.head_input_format = memory_format(inputs[0])

    def head_end(self, module, inputs, output):
        self.head_ended = time.perf_counter()
        if self.output_format is None:
            self.output_format = memory_format(output)

    def remove(self):
        for h in self.handles:
            h.remove()


def summarise_profile(samples, clock):
    """TrainStepRecorder.Summarise: medians of each phase over the timed steps (seconds)."""
    def phase(i):
        return statistics.median(s["marks"][i + 1] - s["marks"][i] for s in samples)

    def part(span):
        spans = [span(s) for s in samples]
        return statistics.median(b - a for a, b in spans) if all(x is not None for x in spans) else None

    backbone = part(lambda s: (s["marks"][1], s["alignment"] if s["alignment"] is not None else s["head"][0])
                    if s["head"][0] is not None else None)
    alignment = part(lambda s: (s["alignment"], s["head"][0]) if s["alignment"] is not None and s["head"][0] is not None else None)
    head = part(lambda s: s["head"] if None not in s["head"] else None)
    return {
        "zeroGradSeconds": phase(0), "forwardSeconds": phase(1), "lossSeconds": phase(2), "backwardSeconds": phase(3),
        "optimizerSeconds": phase(4), "itemSeconds": phase(5),
        "stepSeconds": statistics.median(s["marks"][-1] - s["marks"][0] for s in samples),
        "backboneSeconds": backbone, "alignmentSeconds": alignment if clock.has_aligner else None, "headSeconds": head,
        "forwardSplit": "module hooks in the model's forward",  # TrainStepProfile.HooksInForward
        "gen0Collections": None, "gen1Collections": None, "gen2Collections": None, "gcPauseSeconds": None,
    }


def config_value(pattern, text):
    m = re.search(pattern, text or "")
    return m.group(1).strip() if m else None


def runtime_settings(frames, clock):
    """TrainRuntimeSettings: the settings where PyTorch 1.13 and libtorch 2.10 may differ."""
    parallel = torch.__config__.parallel_info()
    config = torch.__config__.show()
    return {
        "intraOpThreads": torch.get_num_threads(), "interOpThreads": torch.get_num_interop_threads(),
        "mkldnnAvailable": torch.backends.mkldnn.is_available(), "mkldnnEnabled": bool(torch.backends.mkldnn.enabled),
        "oneDnnNote": "torch.backends.mkldnn.enabled (PyTorch's default)",
        "inputMemoryFormat": memory_format(frames), "headInputMemoryFormat": clock.head_input_format,
        "outputMemoryFormat": clock.output_format,
        "parallelBackend": config_value(r"ATen parallel backend:\s*([^\r\n]+)", parallel),
        "cpuCapability": config_value(r"CPU capability usage:\s*([^\r\n]+)", config),
        "blasInfo": config_value(r"BLAS_INFO=([^,\s]+)", config),
        "parallelInfo": parallel, "buildConfig": config,
        "gcServer": None, "gcConcurrent": None, "gcLatencyMode": None,
    }


def run_case(case, batch_size, steps, warmup, profile=False):
    torch.manual_seed(0)
    cfg = case["model"]
    model = DsaNet(cfg)
    params = sum(p.numel() for p in model.parameters())
    trainable = [p for p in model.parameters() if p.requires_grad]
    n_trainable = sum(p.numel() for p in trainable)
    assert params == case["parameters"], f"case {case['case']}: PyTorch mirror has {params} parameters, TorchSharp {case['parameters']}"
    assert n_trainable == case["trainableParameters"], \
        f"case {case['case']}: PyTorch mirror has {n_trainable} trainable parameters, TorchSharp {case['trainableParameters']}"
    model.train()
    optimizer = torch.optim.Adam(trainable, lr=1e-3)
    h, w = cfg["inputHeight"], cfg["inputWidth"]
    shape = [batch_size, model.frames, 3, h, w]
    frames = torch.randn(*shape)
    targets = torch.rand(batch_size, cfg["joints"], h // 4, w // 4)
    weights = torch.ones(batch_size, cfg["joints"], 1)
    clock = ForwardSplitClock(model) if profile else None
    samples = []  # per profiled step: the phases' clock marks and the forward split

    def step():
        # One step body, as TrainBenchmark.cs: the clock is read between the phases only when profiling, and then the
        # loss is read too (.item(), as the Trainer does every step).
        marks = [] if clock is None else [time.perf_counter()]
        mark = (lambda: None) if clock is None else (lambda: marks.append(time.perf_counter()))  # noqa: E731
        if clock is not None:
            clock.reset()
        optimizer.zero_grad()
        mark()
        heatmaps = model(frames)
        mark()
        loss = 0.5 * ((heatmaps - targets) * weights.unsqueeze(-1)).pow(2).mean()  # JointsMseLoss.cs
        mark()
        loss.backward()
        mark()
        optimizer.step()
        mark()
        if clock is None:
            return
        loss.item()
        mark()
        del heatmaps, loss  # what the dispose scope's end does on our side
        mark()
        samples.append({"marks": marks, "alignment": clock.alignment_start, "head": (clock.head_started, clock.head_ended)})

    for _ in range(warmup):
        step()
    reset = reset_peak()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    result = {
        "implementation": f"PyTorch DsaNet mirror (torch {torch.__version__}, torchvision {torchvision.__version__})",
        "case": case["case"], "inputShape": shape, "parameters": params, "trainableParameters": n_trainable,
        "steps": steps, "medianSeconds": median, "minSeconds": min(times), "samplesPerSecond": batch_size / median,
        "peakResidentBytes": peak_resident_bytes(), "peakResetPerCase": reset, "torchThreads": torch.get_num_threads(),
    }
    if clock is not None:
        result["profile"] = summarise_profile(samples[-steps:], clock)
        result["settings"] = runtime_settings(frames, clock)
        clock.remove()
    return result


def print_profile(r):
    p, s = r["profile"], r["settings"]
    ms = lambda v: "-" if v is None else f"{1000 * v:.1f}"  # noqa: E731
    print(f"  phases (median ms): zero_grad {ms(p['zeroGradSeconds'])}  forward {ms(p['forwardSeconds'])} "
          f"(backbone {ms(p['backboneSeconds'])}, alignment {ms(p['alignmentSeconds'])}, head {ms(p['headSeconds'])})  "
          f"loss {ms(p['lossSeconds'])}  backward {ms(p['backwardSeconds'])}  adam {ms(p['optimizerSeconds'])}  "
          f"item {ms(p['itemSeconds'])}  step {ms(p['stepSeconds'])}")
    print(f"  settings: intra-op {s['intraOpThreads']}, inter-op {s['interOpThreads']}, {s['parallelBackend']}, "
          f"oneDNN available {s['mkldnnAvailable']} enabled {s['mkldnnEnabled']}, CPU capability {s['cpuCapability']}, "
          f"BLAS {s['blasInfo']}, memory format {s['inputMemoryFormat']} / {s['headInputMemoryFormat']} / {s['outputMemoryFormat']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", required=True, help="cases file written by `dsa bench train` (--models)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (match TorchSharp's)")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--check-only", action="store_true", help="only build each model and check the parameter counts")
    parser.add_argument("--profile", action="store_true", help="also time each phase and record the runtime settings (as dsa bench train --profile)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with open(args.cases) as f:
        cases = json.load(f)
    results = []
    for case in cases:
        if args.check_only:
            model = DsaNet(case["model"])
            n = sum(p.numel() for p in model.parameters())
            assert n == case["parameters"], f"case {case['case']}: PyTorch mirror has {n} parameters, TorchSharp {case['parameters']}"
            print(f"{case['case']:<22} {n} parameters (equal)")
            continue
        r = run_case(case, args.batch_size, args.steps, args.warmup, args.profile)
        print(f"PyTorch {r['case']:<22} {r['samplesPerSecond']:8.2f} samples/s  median step {r['medianSeconds']:.3f} s  "
              f"peak {r['peakResidentBytes'] / 1048576:.0f} MiB  {r['torchThreads']} threads  {r['parameters']} parameters")
        if args.profile:
            print_profile(r)
        results.append(r)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
