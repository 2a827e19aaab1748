#!/usr/bin/env python3
"""Quantize MediaPipe's BlazeFace short-range detector to full int8.

Weights and every activation become int8 (static quantization); the model
keeps a float32 input and float32 outputs (one QUANTIZE op in, DEQUANTIZE ops
out) so the Rust decoder is the same for the float and the int8 model.

Reproducible offline with PyPI tools only:

    python3 -m venv /tmp/qenv
    /tmp/qenv/bin/pip install ai-edge-quantizer==0.6.0 ai-edge-litert==2.1.4 pillow numpy
    /tmp/qenv/bin/python models/tools/quantize_blazeface.py \
        --float models/src/mp_face_detection_short_range.tflite \
        --calib DIR_OF_PORTRAITS [--calib MORE] \
        --out models/face_detection_short_range_int8.tflite

Two pitfalls of MediaPipe files are handled here:
- their operator codes fill only `deprecated_builtin_code`; ai-edge-quantizer
  reads `builtin_code` and would see every op as ADD, so the field is copied;
- calibration needs a SignatureDef, which MediaPipe files lack, so one is added;
- their weights are fp16 constants behind DEQUANTIZE ops, which the quantizer
  takes for activations (a bias with no data fails), so each is folded into a
  float32 constant first;
- their RELUs are separate ops after each residual ADD. XNNPACK runs no
  standalone int8 RELU, so the int8 graph fell apart into 18 partitions and
  ran slower than float (7.3 ms against 1.9 ms); each RELU is fused into the
  ADD or convolution before it, as TFLite's converter does;
- the quantized ops keep the float model's version 1, which tells the runtime
  they are float kernels; they get the versions TFLite's converter writes for
  int8.

Calibration records each activation's min and max on every image and takes a
high percentile of those extremes across images (the default moving average
clips the score logits: top score 0.58 instead of 0.92; the plain global
min/max lets a few outlier photos make the int8 steps too coarse), and pins the
input range to exactly [-1, 1], the range the detector is fed.
The two heads are the exception: on some real photos, background anchors
produce regressor and logit values of +-28,000 that no decoder uses (a score
saturates long before, a box that far is off the frame), and letting them set
the range leaves one int8 step of 110 logits. The head tensors are therefore
pinned: logits to [-LOGIT_RANGE, LOGIT_RANGE], offsets to
[-BOX_RANGE, BOX_RANGE] input pixels.
"""

import argparse
import hashlib
import pathlib
import sys

import numpy as np
from PIL import Image, ImageOps

from ai_edge_litert import schema_py_generated as schema
from ai_edge_quantizer import calibrator, qtyping, quantizer
import flatbuffers

SIGNATURE = "serving_default"
PERCENTILE = 90.0  # of per-image activation extremes; see robust_ranges
LOGIT_RANGE = 16.0  # sigmoid(16) = 1 - 1e-7; the decoder's score threshold is 0.5
BOX_RANGE = 160.0  # 1.25 x the 128 px input: every box that can overlap the frame
IMAGE_EXTS = {".jpg", ".jpeg", ".png"}


def normalised_model(path: pathlib.Path) -> bytes:
    """Return the model with real builtin codes and a default SignatureDef."""
    buf = path.read_bytes()
    model = schema.ModelT.InitFromPackedBuf(buf, 0)
    for code in model.operatorCodes:
        code.builtinCode = max(code.builtinCode, code.deprecatedBuiltinCode)
    graph = model.subgraphs[0]
    fold_fp16_dequantize(model, graph)
    fuse_relu(model, graph)
    drop_unused(model, graph)
    if not model.signatureDefs:
        sig = schema.SignatureDefT()
        sig.signatureKey = SIGNATURE
        sig.subgraphIndex = 0
        sig.inputs = [tensor_map(graph, i) for i in graph.inputs]
        sig.outputs = [tensor_map(graph, i) for i in graph.outputs]
        model.signatureDefs = [sig]
    builder = flatbuffers.Builder(len(buf) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def fold_fp16_dequantize(model, graph) -> None:
    """Replace DEQUANTIZE(fp16 constant) by the float32 constant it computes."""
    kept = []
    for op in graph.operators:
        code = model.operatorCodes[op.opcodeIndex].builtinCode
        src = graph.tensors[op.inputs[0]]
        data = model.buffers[src.buffer].data
        if code == schema.BuiltinOperator.DEQUANTIZE and data is not None and len(data):
            if src.type != schema.TensorType.FLOAT16:
                raise SystemExit(f"unexpected DEQUANTIZE input type {src.type}")
            values = np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)
            out = graph.tensors[op.outputs[0]]
            buf = schema.BufferT()
            buf.data = np.frombuffer(values.tobytes(), dtype=np.uint8)
            model.buffers.append(buf)
            out.buffer = len(model.buffers) - 1
        else:
            kept.append(op)
    graph.operators = kept


def fuse_relu(model, graph) -> None:
    """Fold RELU into the ADD / CONV_2D / DEPTHWISE_CONV_2D that feeds only it."""
    B = schema.BuiltinOperator
    options = {
        B.ADD: schema.AddOptionsT,
        B.CONV_2D: schema.Conv2DOptionsT,
        B.DEPTHWISE_CONV_2D: schema.DepthwiseConv2DOptionsT,
    }
    code = lambda op: model.operatorCodes[op.opcodeIndex].builtinCode
    producers = {o: op for op in graph.operators for o in op.outputs}
    readers = {}
    for op in graph.operators:
        for i in op.inputs:
            readers[i] = readers.get(i, 0) + 1
    drop = set()
    for op in graph.operators:
        if code(op) != B.RELU:
            continue
        src = producers.get(op.inputs[0])
        if src is None or code(src) not in options or readers.get(op.inputs[0]) != 1:
            continue
        if src.builtinOptions.fusedActivationFunction != schema.ActivationFunctionType.NONE:
            continue
        src.builtinOptions.fusedActivationFunction = schema.ActivationFunctionType.RELU
        src.outputs = [op.outputs[0]]
        drop.add(id(op))
    graph.operators = [op for op in graph.operators if id(op) not in drop]


def drop_unused(model, graph) -> None:
    """Remove tensors no op reads or writes and buffers no tensor uses.

    Folding and fusing leave them behind: the fp16 weights and the tensors
    between a fused op and its RELU. The calibrator reads every tensor, and
    one that is never computed has no data.
    """
    used = set(graph.inputs) | set(graph.outputs)
    for op in graph.operators:
        used.update(i for i in op.inputs if i >= 0)
        used.update(op.outputs)
    keep = [i for i in range(len(graph.tensors)) if i in used]
    remap = {old: new for new, old in enumerate(keep)}
    graph.tensors = [graph.tensors[i] for i in keep]
    for op in graph.operators:
        op.inputs = [remap[i] if i >= 0 else i for i in op.inputs]
        op.outputs = [remap[i] for i in op.outputs]
    graph.inputs = [remap[i] for i in graph.inputs]
    graph.outputs = [remap[i] for i in graph.outputs]
    # Buffer 0 is the empty sentinel every non-constant tensor points at.
    metadata = model.metadata or []
    used_buffers = sorted({0} | {t.buffer for t in graph.tensors} | {m.buffer for m in metadata})
    bremap = {old: new for new, old in enumerate(used_buffers)}
    model.buffers = [model.buffers[i] for i in used_buffers]
    for t in graph.tensors:
        t.buffer = bremap[t.buffer]
    for m in metadata:
        m.buffer = bremap[m.buffer]


# Operator versions TFLite's converter writes for int8 kernels.
INT8_VERSIONS = {
    schema.BuiltinOperator.CONV_2D: 3,
    schema.BuiltinOperator.DEPTHWISE_CONV_2D: 3,
    schema.BuiltinOperator.ADD: 2,
    schema.BuiltinOperator.RELU: 2,
    schema.BuiltinOperator.PAD: 2,
    schema.BuiltinOperator.MAX_POOL_2D: 2,
    schema.BuiltinOperator.CONCATENATION: 2,
    schema.BuiltinOperator.QUANTIZE: 2,
}


def with_int8_versions(buf: bytes) -> bytes:
    model = schema.ModelT.InitFromPackedBuf(buf, 0)
    for code in model.operatorCodes:
        code.version = max(code.version, INT8_VERSIONS.get(code.builtinCode, 1))
    builder = flatbuffers.Builder(len(buf) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def tensor_map(graph, index: int):
    entry = schema.TensorMapT()
    entry.name = graph.tensors[index].name.decode()
    entry.tensorIndex = index
    return entry


def letterbox(path: pathlib.Path, size: int) -> np.ndarray:
    """Same preprocessing as the Rust detector: EXIF upright, keep aspect, pad, [-1, 1]."""
    img = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    scale = size / max(img.size)
    w, h = max(1, round(img.width * scale)), max(1, round(img.height * scale))
    canvas = Image.new("RGB", (size, size))
    canvas.paste(img.resize((w, h), Image.BILINEAR), ((size - w) // 2, (size - h) // 2))
    return (np.asarray(canvas, dtype=np.float32) / 127.5 - 1.0)[None]


def collect_ranges(qsv, new_qsv):
    """Keep every image's min and max of a tensor (reduced by robust_ranges)."""
    mins = qsv.get("mins", []) if qsv else []
    maxs = qsv.get("maxs", []) if qsv else []
    return {
        "min": new_qsv["min"],
        "max": new_qsv["max"],
        "mins": mins + [float(np.min(new_qsv["min"]))],
        "maxs": maxs + [float(np.max(new_qsv["max"]))],
    }


def robust_ranges(qsvs, percentile: float):
    """Range of each tensor = the given percentile of its per-image extremes."""
    out = {}
    for name, q in qsvs.items():
        shape = np.shape(q["min"])
        lo = min(0.0, float(np.percentile(q["mins"], 100 - percentile)))
        hi = max(0.0, float(np.percentile(q["maxs"], percentile)))
        out[name] = {"min": np.full(shape, lo, np.float32), "max": np.full(shape, hi, np.float32)}
    return out


def head_tensors(model, graph, output_index: int) -> set[str]:
    """The output tensor and everything feeding it through RESHAPE / CONCATENATION.

    The walk stops at the convolutions that compute the head, whose outputs are
    included: they carry the same values, so they must carry the same range.
    """
    shape_ops = {schema.BuiltinOperator.RESHAPE, schema.BuiltinOperator.CONCATENATION}
    producers = {o: op for op in graph.operators for o in op.outputs}
    names, frontier = set(), [graph.outputs[output_index]]
    while frontier:
        t = frontier.pop()
        names.add(graph.tensors[t].name.decode())
        op = producers.get(t)
        if op is not None and model.operatorCodes[op.opcodeIndex].builtinCode in shape_ops:
            data_inputs = op.inputs[:1] if model.operatorCodes[op.opcodeIndex].builtinCode == schema.BuiltinOperator.RESHAPE else op.inputs
            frontier.extend(data_inputs)
    return names


def pin_heads(model, graph, qsvs) -> None:
    for index in range(len(graph.outputs)):
        last = graph.tensors[graph.outputs[index]]
        width = last.shape[-1]
        bound = LOGIT_RANGE if width == 1 else BOX_RANGE
        for name in head_tensors(model, graph, index):
            if name in qsvs:
                shape = np.shape(qsvs[name]["min"])
                qsvs[name] = {
                    "min": np.full(shape, -bound, np.float32),
                    "max": np.full(shape, bound, np.float32),
                }


def calibration_images(dirs: list[pathlib.Path]) -> list[pathlib.Path]:
    files = sorted(
        p for d in dirs for p in d.rglob("*") if p.suffix.lower() in IMAGE_EXTS
    )
    if not files:
        sys.exit(f"no calibration images under {', '.join(map(str, dirs))}")
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--float", type=pathlib.Path, required=True)
    ap.add_argument("--calib", type=pathlib.Path, action="append", required=True)
    ap.add_argument("--out", type=pathlib.Path, required=True)
    ap.add_argument("--percentile", type=float, default=PERCENTILE)
    args = ap.parse_args()

    model = normalised_model(args.float)
    model_t = schema.ModelT.InitFromPackedBuf(model, 0)
    graph = model_t.subgraphs[0]
    input_name = graph.tensors[graph.inputs[0]].name.decode()
    size = int(graph.tensors[graph.inputs[0]].shape[1])

    files = calibration_images(args.calib)
    samples = [{input_name: letterbox(p, size)} for p in files]
    # Mirrored copies double the data and cover faces turned the other way.
    samples += [{input_name: s[input_name][:, :, ::-1, :].copy()} for s in samples]

    calib = calibrator.Calibrator(model, num_threads=2, qsv_update_func=collect_ranges)
    q = quantizer.Quantizer(model)
    q.add_static_config(
        regex=".*",
        operation_name=qtyping.TFLOperationName.ALL_SUPPORTED,
        activation_num_bits=8,
        weight_num_bits=8,
    )
    calib.calibrate({SIGNATURE: samples}, q._recipe_manager)  # noqa: SLF001
    qsvs = robust_ranges(calib.get_model_qsvs(), args.percentile)
    qsvs[input_name] = {
        "min": np.full((1, 1, 1, 1), -1.0, np.float32),
        "max": np.full((1, 1, 1, 1), 1.0, np.float32),
    }
    pin_heads(model_t, graph, qsvs)
    result = q.quantize(qsvs)
    quantized = with_int8_versions(bytes(result.quantized_model))
    args.out.write_bytes(quantized)
    digest = hashlib.sha256(quantized).hexdigest()
    print(f"calibrated on {len(samples)} images ({len(files)} files); wrote {args.out} sha256={digest}")


if __name__ == "__main__":
    main()
