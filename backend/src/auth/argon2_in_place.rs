//! argon2id computed in a block of memory that is given back to the system
//! after every hash. The crate's own [`PasswordHasher`] allocates its 19 MiB
//! block from the heap: glibc's malloc raises its mmap threshold to the size
//! of a freed mapping (up to 32 MiB), so from the second hash on the block
//! came from the heap, which cannot shrink once small allocations land
//! beside it: a server grew by about 19 MB with every sign-in (130 MB after
//! eight). Keeping one block per thread stopped the growth but held 19 MB
//! for good. Here each hash asks for more than 32 MiB of address space
//! ([`OWN_MAPPING_BLOCKS`]): malloc always serves that with a mapping of its
//! own and unmaps it when it is freed, and the pages past the memory cost are
//! never touched, so never resident. Only the memory handling differs from
//! the crate's; its verification (constant-time comparison) is used as is.

use argon2::password_hash::{
    self, Decimal, Ident, Output, ParamsString, PasswordHash, PasswordHasher, Salt,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// The capacity, in 1 KiB blocks, asked for each hash at least: above glibc's
/// largest mmap threshold (32 MiB), so the block is a mapping of its own.
const OWN_MAPPING_BLOCKS: usize = 33 * 1024;

/// argon2 with the default (argon2id, OWASP-recommended) parameters.
#[derive(Default)]
pub struct Argon2InPlace(Argon2<'static>);

impl PasswordHasher for Argon2InPlace {
    type Params = Params;

    fn hash_password<'a>(
        &self,
        password: &[u8],
        salt: impl Into<Salt<'a>>,
    ) -> password_hash::Result<PasswordHash<'a>> {
        let salt = salt.into();
        let mut salt_buffer = [0u8; Salt::MAX_LENGTH];
        let salt_bytes = salt.decode_b64(&mut salt_buffer)?;
        let params = self.0.params();
        let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let output = Output::init_with(output_len, |out| {
            let blocks = params.block_count();
            let mut memory = Vec::with_capacity(blocks.max(OWN_MAPPING_BLOCKS));
            memory.resize(blocks, Block::default());
            self.0
                .hash_password_into_with_memory(password, salt_bytes, out, memory.as_mut_slice())
                .map_err(password_hash::Error::from)
        })?;
        Ok(PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(params)?,
            salt: Some(salt),
            hash: Some(output),
        })
    }

    fn hash_password_customized<'a>(
        &self,
        password: &[u8],
        algorithm: Option<Ident<'a>>,
        version: Option<Decimal>,
        params: Params,
        salt: impl Into<Salt<'a>>,
    ) -> password_hash::Result<PasswordHash<'a>> {
        let algorithm = algorithm
            .map(Algorithm::try_from)
            .transpose()?
            .unwrap_or_default();
        let version = version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let hasher = Self(Argon2::new(algorithm, version, params));
        let mut hash = hasher.hash_password(password, salt)?;
        hash.algorithm = algorithm.ident();
        hash.version = Some(version.into());
        Ok(hash)
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordVerifier, SaltString};

    use super::*;

    #[test]
    fn hashes_match_the_crates_own_both_ways() {
        let salt = SaltString::from_b64("c2FsdHNhbHRzYWx0c2FsdA").expect("salt");
        let ours = Argon2InPlace::default()
            .hash_password(b"correct horse", &salt)
            .expect("hash")
            .to_string();
        let theirs = Argon2::default()
            .hash_password(b"correct horse", &salt)
            .expect("hash")
            .to_string();
        assert_eq!(ours, theirs);
        let parsed = PasswordHash::new(&theirs).expect("parse");
        assert!(
            Argon2InPlace::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        assert!(
            Argon2InPlace::default()
                .verify_password(b"correct horsf", &parsed)
                .is_err()
        );
        // A hash with other parameters (smaller memory) verifies too.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 3, 1, None).expect("params"),
        )
        .hash_password(b"pw", &salt)
        .expect("hash")
        .to_string();
        let parsed = PasswordHash::new(&small).expect("parse");
        assert!(
            Argon2InPlace::default()
                .verify_password(b"pw", &parsed)
                .is_ok()
        );
    }
}
