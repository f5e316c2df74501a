//! Queries on the archives: storing a message with its ids, thread and index entry, months, threads, permalinks, search (FTS5).

use super::Db;
use crate::domain::{ArchivedState, IndexText, ListId, Month};
use crate::store::{
    ArchiveScope, ArchiveSearch, Archived, ArchivedSummary, Error, MessageKey, NewArchived,
    StoredMessage, ThreadNode, ThreadSummary,
};

impl Db<'_> {
    pub fn archive_message(&self, _message: &NewArchived<'_>) -> Result<Archived, Error> {
        todo!()
    }

    pub fn archive_months(&self, _list: ListId) -> Result<Vec<(Month, u64)>, Error> {
        todo!()
    }

    pub fn archive_month_page(
        &self,
        _list: ListId,
        _month: Month,
        _offset: u64,
        _limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        todo!()
    }

    pub fn archive_month_threads(
        &self,
        _list: ListId,
        _month: Month,
        _offset: u64,
        _limit: u64,
    ) -> Result<(Vec<ThreadSummary>, u64), Error> {
        todo!()
    }

    pub fn archive_thread(
        &self,
        _list: ListId,
        _thread: i64,
        _limit: u64,
    ) -> Result<Vec<ThreadNode>, Error> {
        todo!()
    }

    pub fn archived_by_seq(
        &self,
        _list: ListId,
        _month: Month,
        _seq: u32,
    ) -> Result<Option<ArchivedSummary>, Error> {
        todo!()
    }

    pub fn archived_by_key(
        &self,
        _list: ListId,
        _key: MessageKey<'_>,
    ) -> Result<Option<ArchivedSummary>, Error> {
        todo!()
    }

    pub fn archived_neighbours(
        &self,
        _list: ListId,
        _id: i64,
    ) -> Result<(Option<ArchivedSummary>, Option<ArchivedSummary>), Error> {
        todo!()
    }

    pub fn archived_raw(&self, _id: i64) -> Result<Option<Vec<u8>>, Error> {
        todo!()
    }

    pub fn archive_latest(
        &self,
        _lists: &[ListId],
        _since: i64,
        _limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        todo!()
    }

    pub fn for_each_archived(
        &self,
        _list: ListId,
        _scope: ArchiveScope,
        _each: impl FnMut(&ArchivedSummary, &[u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        todo!()
    }

    pub fn archive_search(
        &self,
        _search: &ArchiveSearch<'_>,
    ) -> Result<Vec<ArchivedSummary>, Error> {
        todo!()
    }

    pub fn archive_search_count(
        &self,
        _search: &ArchiveSearch<'_>,
        _cap: u64,
    ) -> Result<u64, Error> {
        todo!()
    }

    pub fn set_archived_state(
        &self,
        _id: i64,
        _state: ArchivedState,
        _index: &IndexText,
    ) -> Result<Option<ArchivedState>, Error> {
        todo!()
    }

    pub fn archive_index_clear(&self) -> Result<(), Error> {
        todo!()
    }

    pub fn archived_after(&self, _after: i64, _limit: u64) -> Result<Vec<StoredMessage>, Error> {
        todo!()
    }

    pub fn archive_index_add(
        &self,
        _id: i64,
        _index: &IndexText,
        _version: u32,
    ) -> Result<(), Error> {
        todo!()
    }
}
