//! The user directory: users with their password hashes and SCRAM keys, aliases, catch-alls
//! and sender grants; which mailboxes an address delivers to, and whether a user may send as
//! an address.
//!
//! Stored as one TOML file in the data directory, replaced atomically on each change, and
//! read again by the running server when it changes (see [`FileStore`]). A shared database
//! can take its place behind [`Store`].

mod password;
mod store;

use serde::{Deserialize, Serialize};

pub use password::{PasswordHash, ScramKeys};
pub use store::{FileStore, Store};

use crate::error::Error;

/// Everything the directory holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Directory {
    /// The users.
    #[serde(rename = "user")]
    pub users: Vec<User>,
    /// The aliases.
    #[serde(rename = "alias")]
    pub aliases: Vec<Alias>,
    /// Catch-all addresses, one per domain at most.
    #[serde(rename = "catch_all")]
    pub catch_alls: Vec<CatchAll>,
    /// Addresses users may send as besides their own and their aliases.
    #[serde(rename = "sender")]
    pub senders: Vec<SenderGrant>,
}

/// A user: a mailbox and a login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The address, which is also the login name (lower case).
    pub address: String,
    /// The Argon2id hash of the password (PHC string).
    pub password: PasswordHash,
    /// The SCRAM-SHA-256 keys derived from the password.
    pub scram: ScramKeys,
}

/// An alias: an address that delivers to other addresses of this server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    /// The alias address (lower case).
    pub address: String,
    /// Where it delivers: users or other aliases.
    pub targets: Vec<String>,
}

/// Mail for any unknown address of `domain` goes to `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatchAll {
    /// The domain (lower case).
    pub domain: String,
    /// The user or alias it delivers to.
    pub target: String,
}

/// A user may send as an address (or as any address of a domain, written `@domain`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenderGrant {
    /// The user.
    pub user: String,
    /// The address or `@domain`.
    pub address: String,
}

/// Why a user may send as an address (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderRule {
    /// It is the user's own address, or one of its `+tag` forms.
    Own,
    /// It is an alias that delivers to the user.
    Alias,
    /// It is covered by a catch-all that delivers to the user.
    CatchAll,
    /// A sender grant allows it.
    Grant,
}

/// How deep aliases may point at aliases.
const MAX_ALIAS_DEPTH: usize = 8;

impl Directory {
    /// The users whose mailboxes `address` delivers to; empty when it is not local. Looked up
    /// as given, then without a `+tag`, then by the domain's catch-all.
    pub fn resolve(&self, address: &str) -> Vec<&User> {
        let address = address.to_ascii_lowercase();
        let mut found = Vec::new();
        self.expand(&address, 0, &mut found);
        if found.is_empty()
            && let Some(base) = without_tag(&address)
        {
            self.expand(&base, 0, &mut found);
        }
        if found.is_empty()
            && let Some((_, domain)) = address.rsplit_once('@')
            && let Some(catch_all) = self.catch_alls.iter().find(|c| c.domain == domain)
        {
            self.expand(&catch_all.target, 0, &mut found);
        }
        found
    }

    fn expand<'a>(&'a self, address: &str, depth: usize, found: &mut Vec<&'a User>) {
        if let Some(user) = self.user(address) {
            if !found.iter().any(|u| u.address == user.address) {
                found.push(user);
            }
            return;
        }
        if depth >= MAX_ALIAS_DEPTH {
            return;
        }
        if let Some(alias) = self.aliases.iter().find(|a| a.address == address) {
            for target in &alias.targets {
                self.expand(target, depth + 1, found);
            }
        }
    }

    /// The user with this address (its login), if any.
    pub fn user(&self, address: &str) -> Option<&User> {
        let address = address.to_ascii_lowercase();
        self.users.iter().find(|u| u.address == address)
    }

    /// Whether mail for `domain` is delivered here: a domain of a user, alias or catch-all.
    pub fn has_domain(&self, domain: &str) -> bool {
        let domain = domain.to_ascii_lowercase();
        let of = |address: &str| address.rsplit_once('@').is_some_and(|(_, d)| d == domain);
        self.users.iter().any(|u| of(&u.address))
            || self.aliases.iter().any(|a| of(&a.address))
            || self.catch_alls.iter().any(|c| c.domain == domain)
    }

    /// Why `user` may send as `address`, or `None` if it may not.
    pub fn may_send_as(&self, user: &str, address: &str) -> Option<SenderRule> {
        let user = user.to_ascii_lowercase();
        let address = address.to_ascii_lowercase();
        if address == user || without_tag(&address).as_deref() == Some(user.as_str()) {
            return Some(SenderRule::Own);
        }
        let domain = address.rsplit_once('@').map(|(_, d)| d);
        let granted = self.senders.iter().any(|grant| {
            grant.user == user
                && (grant.address == address
                    || grant
                        .address
                        .strip_prefix('@')
                        .is_some_and(|d| Some(d) == domain))
        });
        if granted {
            return Some(SenderRule::Grant);
        }
        let mut found = Vec::new();
        self.expand(&address, 0, &mut found);
        if found.is_empty()
            && let Some(base) = without_tag(&address)
        {
            self.expand(&base, 0, &mut found);
        }
        if found.iter().any(|u| u.address == user) {
            return Some(SenderRule::Alias);
        }
        if self.user(&address).is_none()
            && let Some(domain) = domain
            && let Some(catch_all) = self.catch_alls.iter().find(|c| c.domain == domain)
        {
            let mut found = Vec::new();
            self.expand(&catch_all.target, 0, &mut found);
            if found.iter().any(|u| u.address == user) {
                return Some(SenderRule::CatchAll);
            }
        }
        None
    }

    /// Adds a user, or changes its password.
    ///
    /// # Errors
    ///
    /// [`Error::NotAnAddress`], or [`Error::AddressTaken`] when an alias has the address.
    pub fn set_user(&mut self, address: &str, password: &str) -> Result<(), Error> {
        let address = checked_address(address)?;
        if self.aliases.iter().any(|a| a.address == address) {
            return Err(Error::AddressTaken {
                address,
                taken_by: "an alias",
            });
        }
        let user = User {
            address: address.clone(),
            password: PasswordHash::new(password)?,
            scram: ScramKeys::new(password)?,
        };
        match self.users.iter_mut().find(|u| u.address == address) {
            Some(existing) => *existing = user,
            None => self.users.push(user),
        }
        Ok(())
    }

    /// Removes a user, with its sender grants.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchUser`].
    pub fn remove_user(&mut self, address: &str) -> Result<(), Error> {
        let address = address.to_ascii_lowercase();
        let before = self.users.len();
        self.users.retain(|u| u.address != address);
        if self.users.len() == before {
            return Err(Error::NoSuchUser(address));
        }
        self.senders.retain(|g| g.user != address);
        Ok(())
    }

    /// Adds targets to an alias (creating it), or a catch-all for `@domain`.
    ///
    /// # Errors
    ///
    /// [`Error::AddressTaken`] when the alias is a user's address, [`Error::NotLocal`] for a
    /// target that is not local, [`Error::CatchAllTargets`].
    pub fn add_alias(&mut self, address: &str, targets: &[String]) -> Result<(), Error> {
        let targets: Vec<String> = targets
            .iter()
            .map(|t| checked_address(t))
            .collect::<Result<_, _>>()?;
        for target in &targets {
            if self.user(target).is_none() && !self.aliases.iter().any(|a| &a.address == target) {
                return Err(Error::NotLocal(target.clone()));
            }
        }
        if let Some(domain) = address.strip_prefix('@') {
            let domain = domain.to_ascii_lowercase();
            let [target] = targets.as_slice() else {
                return Err(Error::CatchAllTargets);
            };
            self.catch_alls.retain(|c| c.domain != domain);
            self.catch_alls.push(CatchAll {
                domain,
                target: target.clone(),
            });
            return Ok(());
        }
        let address = checked_address(address)?;
        if self.user(&address).is_some() {
            return Err(Error::AddressTaken {
                address,
                taken_by: "a user",
            });
        }
        match self.aliases.iter_mut().find(|a| a.address == address) {
            Some(alias) => {
                for target in targets {
                    if !alias.targets.contains(&target) {
                        alias.targets.push(target);
                    }
                }
            }
            None => self.aliases.push(Alias { address, targets }),
        }
        Ok(())
    }

    /// Removes an alias (or the catch-all for `@domain`).
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchAlias`].
    pub fn remove_alias(&mut self, address: &str) -> Result<(), Error> {
        let address = address.to_ascii_lowercase();
        let before = self.aliases.len() + self.catch_alls.len();
        match address.strip_prefix('@') {
            Some(domain) => self.catch_alls.retain(|c| c.domain != domain),
            None => self.aliases.retain(|a| a.address != address),
        }
        if self.aliases.len() + self.catch_alls.len() == before {
            return Err(Error::NoSuchAlias(address));
        }
        Ok(())
    }

    /// Lets `user` send as `address` (or `@domain`), or stops it.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchUser`].
    pub fn set_sender(&mut self, user: &str, address: &str, allow: bool) -> Result<(), Error> {
        let user = user.to_ascii_lowercase();
        if self.user(&user).is_none() {
            return Err(Error::NoSuchUser(user));
        }
        let address = address.to_ascii_lowercase();
        self.senders
            .retain(|g| !(g.user == user && g.address == address));
        if allow {
            self.senders.push(SenderGrant { user, address });
        }
        Ok(())
    }
}

/// `local+tag@domain` without its tag.
fn without_tag(address: &str) -> Option<String> {
    let (local, domain) = address.rsplit_once('@')?;
    let (base, _) = local.split_once('+')?;
    Some(format!("{base}@{domain}"))
}

/// An address as the directory keeps it: `local@domain`, lower case, no spaces.
fn checked_address(address: &str) -> Result<String, Error> {
    let address = address.trim().to_ascii_lowercase();
    let valid = address.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !address.contains(|c: char| c.is_whitespace() || c == '<' || c == '>')
            && address.matches('@').count() == 1
    });
    if valid {
        Ok(address)
    } else {
        Err(Error::NotAnAddress(address))
    }
}
