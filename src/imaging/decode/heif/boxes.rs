//! The few ISO base media boxes that say how large a HEIF picture really
//! is, read before libheif decodes anything.
//!
//! libheif reports a picture's size from its `ispe` property, but a derived
//! picture (a `grid` of tiles, as every iPhone photo is, or an `iovl`
//! overlay) decodes to the canvas its own description names: a grid whose
//! `ispe` says 64 x 64 can decode to 16384 x 16384. And every tile is a
//! whole HEVC decode, so a picture of thousands of tiles costs seconds of
//! CPU whatever its size. Here the primary item's description and its
//! tile references are read from the `meta` box, so the memory cap and a
//! tile bound apply before libheif allocates a pixel.
//!
//! Only what that needs is read: `pitm`, `iinf`/`infe`, `iloc`, `idat` and
//! `iref`. Anything malformed is an error naming the box.

use std::collections::HashMap;

/// A derived picture's canvas, as its description says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Canvas {
    /// Width libheif decodes to, pixels.
    pub(crate) width: u32,
    /// Height libheif decodes to, pixels.
    pub(crate) height: u32,
    /// Pictures decoded to make it (tiles, overlaid images).
    pub(crate) inputs: u32,
}

/// Why the `meta` box could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the HEIF file's {0} box is damaged")]
pub(crate) struct Damaged(pub(crate) &'static str);

/// How deep `iden` pictures may point at other pictures.
const MAX_DEPTH: usize = 4;

/// Most extents one item may have (libheif's own bound).
const MAX_EXTENTS: u16 = 32;

/// The canvas of the file's primary picture when it is derived (`grid` or
/// `iovl`); `None` when the primary picture is coded (its `ispe` is then
/// its size) or the file has no `meta` box (libheif will refuse it).
pub(crate) fn derived_canvas(file: &[u8]) -> Result<Option<Canvas>, Damaged> {
    let mut metas = children(file).filter_map(|b| b.ok().filter(|b| b.kind == *b"meta"));
    let Some(meta) = metas.next() else {
        return Ok(None);
    };
    // libheif reads the last one: two is a file made to be read two ways.
    if metas.next().is_some() {
        return Err(Damaged("second meta"));
    }
    let meta = Meta::read(full_box(meta.body).ok_or(Damaged("meta"))?.1)?;
    // An identity picture shows the picture it points at (at most a few
    // steps deep).
    let mut item = meta.primary;
    for _ in 0..=MAX_DEPTH {
        match meta.kinds.get(&item).ok_or(Damaged("iinf"))? {
            b"iden" => {
                item = *meta
                    .dimg
                    .get(&item)
                    .and_then(|to| to.first())
                    .ok_or(Damaged("iref"))?;
            }
            b"grid" | b"iovl" => return meta.canvas(item, file).map(Some),
            _ => return Ok(None),
        }
    }
    Err(Damaged("iden"))
}

fn canvas_size(r: &mut Reader<'_>, flags: u8) -> Option<(u32, u32)> {
    if flags & 1 == 1 {
        Some((r.u32()?, r.u32()?))
    } else {
        Some((u32::from(r.u16()?), u32::from(r.u16()?)))
    }
}

/// One box: its four-character type and its body.
struct IsoBox<'a> {
    kind: [u8; 4],
    body: &'a [u8],
}

/// The boxes laid end to end in `data`; a box running past the end is an
/// error (and the last item).
fn children(data: &[u8]) -> impl Iterator<Item = Result<IsoBox<'_>, Damaged>> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut r = Reader(rest);
        let parsed = (|| {
            let size = r.u32()?;
            let kind: [u8; 4] = r.take(4)?.try_into().ok()?;
            let header = if size == 1 { 16 } else { 8 };
            let size = match size {
                0 => rest.len() as u64,
                1 => r.u64()?,
                n => u64::from(n),
            };
            let size = usize::try_from(size).ok()?;
            let body = rest.get(header..size)?;
            Some((kind, body, size))
        })();
        match parsed {
            Some((kind, body, size)) => {
                rest = &rest[size..];
                Some(Ok(IsoBox { kind, body }))
            }
            None => {
                rest = &[];
                Some(Err(Damaged("box list")))
            }
        }
    })
}

/// A full box's version and flags, and the rest of its body.
fn full_box(body: &[u8]) -> Option<((u8, u32), &[u8])> {
    let mut r = Reader(body);
    let word = r.u32()?;
    Some((((word >> 24) as u8, word & 0x00ff_ffff), r.0))
}

/// One extent of an item's data.
#[derive(Clone, Copy)]
struct Extent {
    /// 0: in the file; 1: in the `idat` box.
    method: u8,
    offset: u64,
    length: u64,
}

/// What the `meta` box says of its items.
struct Meta<'a> {
    primary: u32,
    /// Every item's type.
    kinds: HashMap<u32, [u8; 4]>,
    /// The pictures each derived item is made from (`dimg` references).
    dimg: HashMap<u32, Vec<u32>>,
    /// Each item's first extent (a derived picture's description is a few
    /// bytes in one).
    extents: HashMap<u32, Extent>,
    idat: &'a [u8],
}

impl<'a> Meta<'a> {
    fn read(body: &'a [u8]) -> Result<Self, Damaged> {
        let boxes: Vec<IsoBox<'a>> = children(body).collect::<Result<_, _>>()?;
        let find = |kind: &[u8; 4]| boxes.iter().find(|b| b.kind == *kind);
        let primary = match find(b"pitm") {
            Some(b) => {
                let ((version, _), rest) = full_box(b.body).ok_or(Damaged("pitm"))?;
                let mut r = Reader(rest);
                item_id(&mut r, version == 0).ok_or(Damaged("pitm"))?
            }
            None => return Err(Damaged("pitm")),
        };
        let kinds = match find(b"iinf") {
            Some(b) => item_kinds(b.body).ok_or(Damaged("iinf"))?,
            None => HashMap::new(),
        };
        let dimg = match find(b"iref") {
            Some(b) => derived_from(b.body).ok_or(Damaged("iref"))?,
            None => HashMap::new(),
        };
        let extents = match find(b"iloc") {
            Some(b) => first_extents(b.body).ok_or(Damaged("iloc"))?,
            None => HashMap::new(),
        };
        Ok(Meta {
            primary,
            kinds,
            dimg,
            extents,
            idat: find(b"idat").map_or(&[], |b| b.body),
        })
    }

    /// The canvas of derived item `id` (a grid or an overlay) and the
    /// pictures decoded for it, which must be coded pictures: a grid of
    /// grids would decode each at its own canvas.
    fn canvas(&self, id: u32, file: &'a [u8]) -> Result<Canvas, Damaged> {
        let kind = self.kinds.get(&id).ok_or(Damaged("iinf"))?;
        let mut r = Reader(self.item_data(id, file)?);
        let (width, height, declared) = if kind == b"grid" {
            // version, flags, rows - 1, columns - 1, then the canvas in 16
            // or 32 bits by flag 1.
            let (_version, flags) = (r.u8(), r.u8());
            let (rows, columns) = (r.u8(), r.u8());
            let (Some(flags), Some(rows), Some(columns)) = (flags, rows, columns) else {
                return Err(Damaged("grid"));
            };
            let (w, h) = canvas_size(&mut r, flags).ok_or(Damaged("grid"))?;
            (w, h, (u32::from(rows) + 1) * (u32::from(columns) + 1))
        } else {
            // version, flags, four 16-bit fill values, then the canvas.
            let (_version, flags) = (r.u8(), r.u8());
            let flags = flags.ok_or(Damaged("iovl"))?;
            r.take(8).ok_or(Damaged("iovl"))?;
            let (w, h) = canvas_size(&mut r, flags).ok_or(Damaged("iovl"))?;
            (w, h, 0)
        };
        let inputs = self.dimg.get(&id).map_or(&[][..], Vec::as_slice);
        if inputs
            .iter()
            .any(|i| matches!(self.kinds.get(i), Some(b"grid" | b"iovl" | b"iden")))
        {
            return Err(Damaged("grid of derived pictures"));
        }
        // The tiles libheif decodes are the references, whatever the
        // grid's rows and columns say; count the larger.
        let inputs = u32::try_from(inputs.len())
            .unwrap_or(u32::MAX)
            .max(declared);
        Ok(Canvas {
            width,
            height,
            inputs,
        })
    }

    /// The first bytes of item `id`'s data.
    fn item_data(&self, id: u32, file: &'a [u8]) -> Result<&'a [u8], Damaged> {
        let e = self.extents.get(&id).ok_or(Damaged("iloc"))?;
        let source = match e.method {
            0 => file,
            1 => self.idat,
            _ => return Err(Damaged("iloc")),
        };
        let start = usize::try_from(e.offset).map_err(|_| Damaged("iloc"))?;
        let length = usize::try_from(e.length).map_err(|_| Damaged("iloc"))?;
        // Length 0 means "to the end of the source".
        let end = if length == 0 {
            source.len()
        } else {
            start.checked_add(length).ok_or(Damaged("iloc"))?
        };
        source.get(start..end).ok_or(Damaged("iloc"))
    }
}

fn item_id(r: &mut Reader<'_>, short: bool) -> Option<u32> {
    if short {
        r.u16().map(u32::from)
    } else {
        r.u32()
    }
}

/// Every item's type in an `iinf` box.
fn item_kinds(iinf: &[u8]) -> Option<HashMap<u32, [u8; 4]>> {
    let ((version, _), rest) = full_box(iinf)?;
    let mut r = Reader(rest);
    let _count = if version == 0 {
        u32::from(r.u16()?)
    } else {
        r.u32()?
    };
    let mut kinds = HashMap::new();
    for entry in children(r.0) {
        let entry = entry.ok()?;
        if entry.kind != *b"infe" {
            continue;
        }
        let ((version, _), rest) = full_box(entry.body)?;
        // Versions 0 and 1 name no type (no picture items).
        if version < 2 {
            continue;
        }
        let mut r = Reader(rest);
        let id = item_id(&mut r, version == 2)?;
        let _protection = r.u16()?;
        let kind: [u8; 4] = r.take(4)?.try_into().ok()?;
        kinds.insert(id, kind);
    }
    Some(kinds)
}

/// The pictures each item is derived from (its `dimg` references).
fn derived_from(iref: &[u8]) -> Option<HashMap<u32, Vec<u32>>> {
    let ((version, _), rest) = full_box(iref)?;
    let mut refs: HashMap<u32, Vec<u32>> = HashMap::new();
    for reference in children(rest) {
        let reference = reference.ok()?;
        let mut r = Reader(reference.body);
        let from = item_id(&mut r, version == 0)?;
        let count = r.u16()?;
        if reference.kind != *b"dimg" {
            continue;
        }
        let to = refs.entry(from).or_default();
        for _ in 0..count {
            to.push(item_id(&mut r, version == 0)?);
        }
    }
    Some(refs)
}

/// Each item's first extent in an `iloc` box. An item of more than
/// [`MAX_EXTENTS`] extents is damage (and, with fields of no bytes, a way
/// to make this loop run billions of times).
fn first_extents(iloc: &[u8]) -> Option<HashMap<u32, Extent>> {
    let ((version, _), rest) = full_box(iloc)?;
    let mut r = Reader(rest);
    let sizes = r.u16()?;
    let offset_size = (sizes >> 12) as u8;
    let length_size = ((sizes >> 8) & 0xf) as u8;
    let base_size = ((sizes >> 4) & 0xf) as u8;
    let index_size = if version >= 1 { (sizes & 0xf) as u8 } else { 0 };
    let count = if version < 2 {
        u32::from(r.u16()?)
    } else {
        r.u32()?
    };
    let mut extents = HashMap::new();
    for _ in 0..count {
        let id = item_id(&mut r, version < 2)?;
        let method = if version >= 1 {
            (r.u16()? & 0xf) as u8
        } else {
            0
        };
        let _data_reference = r.u16()?;
        let base = r.sized(base_size)?;
        let n = r.u16()?;
        if n > MAX_EXTENTS {
            return None;
        }
        for i in 0..n {
            r.sized(index_size)?;
            let offset = base.checked_add(r.sized(offset_size)?)?;
            let length = r.sized(length_size)?;
            if i == 0 {
                extents.insert(
                    id,
                    Extent {
                        method,
                        offset,
                        length,
                    },
                );
            }
        }
    }
    Some(extents)
}

/// Big-endian reads that return `None` past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Option<u64> {
        Some((u64::from(self.u32()?) << 32) | u64::from(self.u32()?))
    }
    /// A field of 0, 4 or 8 bytes, as `iloc` sizes them.
    fn sized(&mut self, bytes: u8) -> Option<u64> {
        match bytes {
            0 => Some(0),
            4 => self.u32().map(u64::from),
            8 => self.u64(),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A box of `kind` around `body`.
    pub(crate) fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    /// A full box: version and flags, then `body`.
    pub(crate) fn full(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
        let mut b = ((u32::from(version) << 24) | flags).to_be_bytes().to_vec();
        b.extend_from_slice(body);
        boxed(kind, &b)
    }

    /// A `meta` box whose primary item 1 is a grid of `rows` x `columns`
    /// tiles (items 2...) on a `w` x `h` canvas, the grid's description in
    /// `idat`.
    fn grid_meta(rows: u8, columns: u8, w: u32, h: u32, big: bool) -> Vec<u8> {
        let tiles = u16::from(rows) * u16::from(columns);
        let mut infe = Vec::new();
        for id in 1..=tiles + 1 {
            let mut e = id.to_be_bytes().to_vec();
            e.extend([0, 0]);
            e.extend(if id == 1 { b"grid" } else { b"hvc1" });
            infe.extend(full(b"infe", 2, 0, &e));
        }
        let mut iinf = (tiles + 1).to_be_bytes().to_vec();
        iinf.extend(infe);
        let mut description = vec![0, u8::from(big), rows - 1, columns - 1];
        if big {
            description.extend(w.to_be_bytes());
            description.extend(h.to_be_bytes());
        } else {
            description.extend((w as u16).to_be_bytes());
            description.extend((h as u16).to_be_bytes());
        }
        // Version 1: offsets and lengths of 4 bytes, no base; item 1 in
        // idat (construction method 1).
        let mut iloc = vec![0x44, 0x00, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1];
        iloc.extend(0u32.to_be_bytes());
        iloc.extend((description.len() as u32).to_be_bytes());
        let mut dimg = vec![0, 1];
        dimg.extend(tiles.to_be_bytes());
        for id in 2..=tiles + 1 {
            dimg.extend(id.to_be_bytes());
        }
        let mut meta = Vec::new();
        meta.extend(full(b"pitm", 0, 0, &[0, 1]));
        meta.extend(full(b"iinf", 0, 0, &iinf));
        meta.extend(full(b"iloc", 1, 0, &iloc));
        meta.extend(full(b"iref", 0, 0, &boxed(b"dimg", &dimg)));
        meta.extend(boxed(b"idat", &description));
        let mut file = boxed(b"ftyp", b"heic\0\0\0\0mif1heic");
        file.extend(full(b"meta", 0, 0, &meta));
        file
    }

    #[test]
    fn a_grid_says_its_canvas_and_its_tiles() {
        let file = grid_meta(2, 3, 16384, 12000, false);
        let canvas = derived_canvas(&file).unwrap().unwrap();
        assert_eq!(
            canvas,
            Canvas {
                width: 16384,
                height: 12000,
                inputs: 6
            }
        );
        let file = grid_meta(1, 1, 70_000, 64, true);
        assert_eq!(derived_canvas(&file).unwrap().unwrap().width, 70_000);
    }

    /// A `meta` box of items `(id, type)`, `dimg` references `(from,
    /// to)`, the primary `primary`, and one grid description (a 2 x 2 grid
    /// on 9000 x 9000) in idat for item `grid`.
    fn items_meta(
        items: &[(u16, &[u8; 4])],
        refs: &[(u16, &[u16])],
        primary: u16,
        grid: u16,
    ) -> Vec<u8> {
        let mut iinf = (items.len() as u16).to_be_bytes().to_vec();
        for (id, kind) in items {
            let mut e = id.to_be_bytes().to_vec();
            e.extend([0, 0]);
            e.extend(*kind);
            iinf.extend(full(b"infe", 2, 0, &e));
        }
        let description = [0u8, 0, 1, 1, 0x23, 0x28, 0x23, 0x28];
        let mut iloc = vec![0x44, 0x00, 0, 1];
        iloc.extend(grid.to_be_bytes());
        iloc.extend([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8]);
        let mut iref = Vec::new();
        for (from, to) in refs {
            let mut d = from.to_be_bytes().to_vec();
            d.extend((to.len() as u16).to_be_bytes());
            for t in *to {
                d.extend(t.to_be_bytes());
            }
            iref.extend(boxed(b"dimg", &d));
        }
        let mut meta = Vec::new();
        meta.extend(full(b"pitm", 0, 0, &primary.to_be_bytes()));
        meta.extend(full(b"iinf", 0, 0, &iinf));
        meta.extend(full(b"iloc", 1, 0, &iloc));
        meta.extend(full(b"iref", 0, 0, &iref));
        meta.extend(boxed(b"idat", &description));
        let mut file = boxed(b"ftyp", b"heic\0\0\0\0mif1heic");
        file.extend(full(b"meta", 0, 0, &meta));
        file
    }

    #[test]
    fn an_identity_picture_is_measured_by_the_grid_it_shows_and_grids_of_grids_are_refused() {
        let tiles: &[u16] = &[3, 4, 5, 6];
        let hvc = |id| (id, b"hvc1");
        let iden = items_meta(
            &[(1, b"iden"), (2, b"grid"), hvc(3), hvc(4), hvc(5), hvc(6)],
            &[(1, &[2]), (2, tiles)],
            1,
            2,
        );
        let c = derived_canvas(&iden).unwrap().unwrap();
        assert_eq!((c.width, c.height, c.inputs), (9000, 9000, 4));
        let nested = items_meta(
            &[(1, b"grid"), (2, b"grid"), hvc(3), hvc(4), hvc(5), hvc(6)],
            &[(1, &[2, 2, 2, 2]), (2, tiles)],
            1,
            1,
        );
        assert_eq!(
            derived_canvas(&nested),
            Err(Damaged("grid of derived pictures"))
        );
        // A second meta box (libheif reads the last).
        let mut twice = iden.clone();
        twice.extend(full(b"meta", 0, 0, &[]));
        assert_eq!(derived_canvas(&twice), Err(Damaged("second meta")));
    }

    #[test]
    fn extents_of_no_bytes_cannot_make_the_reader_loop() {
        // Offsets, lengths and indexes of 0 bytes: each extent is free,
        // and 65,535 of them per item would be billions of turns.
        let mut iloc = vec![0x00, 0x00, 0, 1, 0, 1, 0, 0, 0, 0];
        iloc.extend([0xff, 0xff]);
        assert!(first_extents(&full(b"iloc", 1, 0, &iloc)[8..]).is_none());
    }

    #[test]
    fn a_coded_picture_or_no_meta_has_no_derived_canvas() {
        let mut file = grid_meta(1, 1, 64, 64, false);
        let at = file.windows(4).position(|w| w == b"grid").unwrap();
        file[at..at + 4].copy_from_slice(b"hvc1");
        assert_eq!(derived_canvas(&file), Ok(None));
        assert_eq!(derived_canvas(&boxed(b"ftyp", b"heic")), Ok(None));
    }

    #[test]
    fn every_cut_of_the_meta_box_is_an_error_or_no_canvas_never_a_panic() {
        let file = grid_meta(2, 2, 640, 480, false);
        for keep in 0..file.len() {
            let mut cut = file[..keep].to_vec();
            // Keep the outer boxes' sizes true to the cut, so the inner
            // parsers see the damage.
            if keep > 24 + 8 {
                let meta_len = (keep - 24) as u32;
                cut[24..28].copy_from_slice(&meta_len.to_be_bytes());
            }
            let _ = derived_canvas(&cut);
        }
        let mut lying = file.clone();
        // The grid's description said to be far past idat's end.
        let at = lying.windows(4).position(|w| w == b"iloc").unwrap() + 4 + 4 + 12;
        lying[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(derived_canvas(&lying), Err(Damaged("iloc")));
    }
}
