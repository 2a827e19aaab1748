//! One TFLite model on LiteRT, with its input and output buffers allocated
//! once, so running it per frame allocates nothing of ours.
//!
//! Float and int8 models look the same to callers: inputs are written as
//! normalised `f32` values through [`TensorSink`] (quantised on the fly for an
//! int8 input), and outputs are read as `f32` (dequantised into buffers sized
//! at load).

use std::path::{Path, PathBuf};

use litert::{CompilationOptions, CompiledModel, ElementType, Environment, TensorBuffer};

use super::tensor::{F32Sink, I8Sink, Input, Quant, tensor_quantisation};

/// Why a model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// LiteRT could not read or compile the file (missing, corrupt, an op the
    /// runtime lacks).
    #[error("cannot load model {path}")]
    Load {
        /// The model file.
        path: PathBuf,
        /// LiteRT's error.
        source: litert::Error,
    },
    /// The model file cannot be read (missing, permissions).
    #[error("cannot read model {path}")]
    Unreadable {
        /// The model file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file loaded but is not the model we expect (wrong shape or type),
    /// e.g. a models folder with files swapped.
    #[error("model {path} is not the expected model: {what}")]
    Unexpected {
        /// The model file.
        path: PathBuf,
        /// What did not match.
        what: String,
    },
    /// Inference failed at run time.
    #[error("running model {name} failed")]
    Run {
        /// The model's file name.
        name: String,
        /// LiteRT's error.
        source: litert::Error,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    F32,
    I8(Quant),
}

/// A compiled model with its buffers.
pub struct Model {
    name: String,
    /// `Option` only so that `Drop` can destroy it with stderr muted.
    compiled: Option<CompiledModel>,
    inputs: Vec<TensorBuffer>,
    outputs: Vec<TensorBuffer>,
    input_dims: Vec<i32>,
    input_kind: Kind,
    output_dims: Vec<Vec<i32>>,
    output_kinds: Vec<Kind>,
    output_values: Vec<Vec<f32>>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("name", &self.name)
            .field("input", &self.input_dims)
            .field("outputs", &self.output_dims)
            .finish()
    }
}

impl Model {
    /// Loads and compiles a model for the CPU, checking that its one input has
    /// `input_dims` and its outputs have `output_dims`, in order.
    pub fn load(
        path: &Path,
        input_dims: &[i32],
        output_dims: &[&[i32]],
    ) -> Result<Self, ModelError> {
        super::quiet::with_stderr_muted(|| Self::load_loud(path, input_dims, output_dims))
    }

    fn load_loud(
        path: &Path,
        input_dims: &[i32],
        output_dims: &[&[i32]],
    ) -> Result<Self, ModelError> {
        let load = |source| ModelError::Load {
            path: path.to_path_buf(),
            source,
        };
        let unexpected = |what: String| ModelError::Unexpected {
            path: path.to_path_buf(),
            what,
        };
        let bytes = std::fs::read(path).map_err(|source| ModelError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
        let quant = tensor_quantisation(&bytes).map_err(&load)?;
        let env = Environment::new().map_err(&load)?;
        let model = litert::Model::from_bytes(bytes).map_err(&load)?;
        let sig = model.signature(0).map_err(&load)?;
        if sig.input_count().map_err(&load)? != 1 {
            return Err(unexpected("expected exactly one input".into()));
        }
        let in_shape = sig.input_shape(0).map_err(&load)?;
        if in_shape.dims != input_dims {
            return Err(unexpected(format!(
                "input shape {:?}, expected {:?}",
                in_shape.dims, input_dims
            )));
        }
        let n_out = sig.output_count().map_err(&load)?;
        if n_out != output_dims.len() {
            return Err(unexpected(format!(
                "{n_out} outputs, expected {}",
                output_dims.len()
            )));
        }
        let kind_of = |et: ElementType, q: Option<Quant>, what: &str| match (et, q) {
            (ElementType::Float32, _) => Ok(Kind::F32),
            (ElementType::Int8, Some(q)) => Ok(Kind::I8(q)),
            (other, _) => Err(unexpected(format!("{what} has element type {other:?}"))),
        };
        let input_kind = kind_of(in_shape.element_type, quant.inputs[0], "input")?;
        let inputs = vec![TensorBuffer::managed_host(&env, &in_shape).map_err(&load)?];
        let mut outputs = Vec::with_capacity(n_out);
        let mut output_kinds = Vec::with_capacity(n_out);
        let mut output_values = Vec::with_capacity(n_out);
        for (i, want) in output_dims.iter().enumerate() {
            let shape = sig.output_shape(i).map_err(&load)?;
            if shape.dims != *want {
                return Err(unexpected(format!(
                    "output {i} shape {:?}, expected {:?}",
                    shape.dims, want
                )));
            }
            output_kinds.push(kind_of(shape.element_type, quant.outputs[i], "output")?);
            output_values.push(vec![0f32; shape.num_elements()]);
            outputs.push(TensorBuffer::managed_host(&env, &shape).map_err(&load)?);
        }
        let options = CompilationOptions::new().map_err(&load)?;
        let compiled = CompiledModel::new(env, model, &options).map_err(&load)?;
        Ok(Self {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            compiled: Some(compiled),
            inputs,
            outputs,
            input_dims: input_dims.to_vec(),
            input_kind,
            output_dims: output_dims.iter().map(|d| d.to_vec()).collect(),
            output_kinds,
            output_values,
        })
    }

    /// The model's file name, for errors and reports.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when the model computes in int8.
    pub fn is_int8(&self) -> bool {
        matches!(self.input_kind, Kind::I8(_))
    }

    /// Writes the input through `fill`, runs the model, and dequantises the
    /// outputs; read them with [`Model::output`].
    pub fn run(&mut self, fill: impl FnOnce(Input<'_>)) -> Result<(), ModelError> {
        let run_err = |source| ModelError::Run {
            name: self.name.clone(),
            source,
        };
        match self.input_kind {
            Kind::F32 => {
                let mut guard = self.inputs[0].lock_for_write::<f32>().map_err(run_err)?;
                fill(Input::F32(F32Sink(&mut guard)));
            }
            Kind::I8(q) => {
                let mut guard = self.inputs[0].lock_for_write::<i8>().map_err(run_err)?;
                fill(Input::I8(I8Sink::new(&mut guard, q)));
            }
        }
        if let Some(compiled) = &self.compiled {
            compiled
                .run(&mut self.inputs, &mut self.outputs)
                .map_err(run_err)?;
        }
        for ((buf, kind), values) in self
            .outputs
            .iter()
            .zip(&self.output_kinds)
            .zip(&mut self.output_values)
        {
            match kind {
                Kind::F32 => {
                    let g = buf.lock_for_read::<f32>().map_err(run_err)?;
                    values.copy_from_slice(&g);
                }
                Kind::I8(q) => {
                    let g = buf.lock_for_read::<i8>().map_err(run_err)?;
                    for (v, &raw) in values.iter_mut().zip(g.iter()) {
                        *v = q.scale * (i32::from(raw) - q.zero_point) as f32;
                    }
                }
            }
        }
        Ok(())
    }

    /// Output `i` of the last run, as `f32`.
    pub fn output(&self, i: usize) -> &[f32] {
        &self.output_values[i]
    }

    /// Zeroes the input and output tensors and our dequantised copies: after a
    /// session nothing computed from a face stays in the runtime's buffers.
    pub fn wipe(&mut self) -> Result<(), ModelError> {
        let name = self.name.clone();
        let run_err = |source| ModelError::Run {
            name: name.clone(),
            source,
        };
        for buf in self.inputs.iter_mut().chain(self.outputs.iter_mut()) {
            match buf.shape().map_err(run_err)?.element_type {
                ElementType::Float32 => buf.lock_for_write::<f32>().map_err(run_err)?.fill(0.0),
                ElementType::Int8 => buf.lock_for_write::<i8>().map_err(run_err)?.fill(0),
                // load() accepts only f32 and i8 tensors.
                _ => {}
            }
        }
        self.output_values.iter_mut().for_each(|v| v.fill(0.0));
        Ok(())
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        let compiled = self.compiled.take();
        let buffers = (
            std::mem::take(&mut self.inputs),
            std::mem::take(&mut self.outputs),
        );
        super::quiet::with_stderr_muted(move || drop((buffers, compiled)));
    }
}

impl Model {
    /// True when every input and output tensor and our dequantised copies
    /// hold only zeros: what [`Model::wipe`] promises, checkable by tests and
    /// by a privacy self-test.
    pub fn is_wiped(&self) -> Result<bool, ModelError> {
        let run_err = |source| ModelError::Run {
            name: self.name.clone(),
            source,
        };
        for buf in self.inputs.iter().chain(self.outputs.iter()) {
            let zero = match buf.shape().map_err(run_err)?.element_type {
                ElementType::Float32 => buf
                    .lock_for_read::<f32>()
                    .map_err(run_err)?
                    .iter()
                    .all(|&v| v == 0.0),
                ElementType::Int8 => buf
                    .lock_for_read::<i8>()
                    .map_err(run_err)?
                    .iter()
                    .all(|&v| v == 0),
                _ => true,
            };
            if !zero {
                return Ok(false);
            }
        }
        Ok(self
            .output_values
            .iter()
            .all(|v| v.iter().all(|&x| x == 0.0)))
    }
}
