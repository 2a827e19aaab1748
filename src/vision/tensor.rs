//! Tensors as the models' callers see them: int8 quantisation, the sinks
//! preprocessing writes normalised values into (quantising on the fly for an
//! int8 input), and reading a model's quantisation from its file, which the
//! `litert` crate does not expose.

/// Affine int8 quantisation: real = scale * (q - zero_point).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quant {
    /// Step between two int8 values.
    pub scale: f32,
    /// The int8 value that means 0.0.
    pub zero_point: i32,
}

/// Where preprocessing writes normalised input values.
pub trait TensorSink {
    /// Stores `value` (already normalised for the model) at flat index `i`.
    fn set(&mut self, i: usize, value: f32);
    /// Number of elements.
    fn len(&self) -> usize;
}

/// A float input tensor (or any `f32` slice, in tests).
pub struct F32Sink<'a>(pub &'a mut [f32]);

impl TensorSink for F32Sink<'_> {
    #[inline]
    fn set(&mut self, i: usize, value: f32) {
        self.0[i] = value;
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// An int8 input tensor: values are quantised as they are written.
pub struct I8Sink<'a> {
    data: &'a mut [i8],
    inv_scale: f32,
    zero_point: f32,
}

impl<'a> I8Sink<'a> {
    /// A sink quantising with `q`.
    pub fn new(data: &'a mut [i8], q: Quant) -> Self {
        Self {
            data,
            inv_scale: 1.0 / q.scale,
            zero_point: q.zero_point as f32,
        }
    }
}

/// A model's input buffer, by element type, so preprocessing can be
/// compiled once per type rather than calling through a trait object for
/// every value.
pub enum Input<'a> {
    /// Float input.
    F32(F32Sink<'a>),
    /// Int8 input.
    I8(I8Sink<'a>),
}

impl TensorSink for I8Sink<'_> {
    #[inline]
    fn set(&mut self, i: usize, value: f32) {
        let q = (value * self.inv_scale + self.zero_point).round();
        self.data[i] = q.clamp(-128.0, 127.0) as i8;
    }
    fn len(&self) -> usize {
        self.data.len()
    }
}

pub(super) struct SignatureQuant {
    pub(super) inputs: Vec<Option<Quant>>,
    pub(super) outputs: Vec<Option<Quant>>,
}

/// Per-tensor quantisation of the default signature's inputs and outputs.
///
/// `litert` 0.2 does not expose quantisation parameters, so this asks the C
/// API directly on a second, short-lived parse of the same bytes.
pub(super) fn tensor_quantisation(bytes: &[u8]) -> Result<SignatureQuant, litert::Error> {
    use litert_sys as sys;
    let status = |s: sys::LiteRtStatus| {
        if s == sys::kLiteRtStatusOk {
            Ok(())
        } else {
            Err(litert::Error::Status {
                code: s,
                message: "reading tensor quantisation".into(),
            })
        }
    };
    let mut model: sys::LiteRtModel = std::ptr::null_mut();
    // SAFETY: `bytes` outlives `model`, which is destroyed before returning;
    // every out-pointer is a valid local.
    unsafe {
        status(sys::LiteRtCreateModelFromBuffer(
            bytes.as_ptr().cast(),
            bytes.len(),
            &mut model,
        ))?;
        let result = (|| {
            let mut sig: sys::LiteRtSignature = std::ptr::null_mut();
            status(sys::LiteRtGetModelSignature(model, 0, &mut sig))?;
            let read = |tensor: sys::LiteRtTensor| -> Result<Option<Quant>, litert::Error> {
                let mut type_id: sys::LiteRtQuantizationTypeId = 0;
                status(sys::LiteRtGetQuantizationTypeId(tensor, &mut type_id))?;
                if type_id != sys::kLiteRtQuantizationPerTensor {
                    return Ok(None);
                }
                let mut q = sys::LiteRtQuantizationPerTensor::default();
                status(sys::LiteRtGetPerTensorQuantization(tensor, &mut q))?;
                Ok(Some(Quant {
                    scale: q.scale,
                    zero_point: q.zero_point as i32,
                }))
            };
            let (mut n_in, mut n_out) = (0, 0);
            status(sys::LiteRtGetNumSignatureInputs(sig, &mut n_in))?;
            status(sys::LiteRtGetNumSignatureOutputs(sig, &mut n_out))?;
            let mut inputs = Vec::with_capacity(n_in);
            for i in 0..n_in {
                let mut t: sys::LiteRtTensor = std::ptr::null_mut();
                status(sys::LiteRtGetSignatureInputTensorByIndex(sig, i, &mut t))?;
                inputs.push(read(t)?);
            }
            let mut outputs = Vec::with_capacity(n_out);
            for i in 0..n_out {
                let mut t: sys::LiteRtTensor = std::ptr::null_mut();
                status(sys::LiteRtGetSignatureOutputTensorByIndex(sig, i, &mut t))?;
                outputs.push(read(t)?);
            }
            Ok(SignatureQuant { inputs, outputs })
        })();
        sys::LiteRtDestroyModel(model);
        result
    }
}
