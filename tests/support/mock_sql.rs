//! A TDS server on loopback (`mssql-mock-tds`) serving the rows a BizTalk group's SQL Server
//! would answer to every check's queries: shared by the SQL check tests and the benchmark.
#![allow(dead_code)]

use bts_doctor::checks::sql_probes::queries;
use bts_doctor::checks::sql_rights;
use bts_doctor::kb::KnowledgeBase;
use mssql_mock_tds::{ColumnDefinition, ColumnValue, MockTdsServer, QueryRegistry, QueryResponse, Row, SqlDataType};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{oneshot, Mutex};

/// The password every test connection uses (it must never appear in any output).
pub const PASSWORD: &str = "Pa55-w0rd;Secret=42";

// ---------------------------------------------------------------- the mock server

/// A running mock; dropping it stops accepting connections.
pub struct Mock {
    pub addr: SocketAddr,
    pub registry: Arc<Mutex<QueryRegistry>>,
    _shutdown: oneshot::Sender<()>,
}

pub async fn spawn(server: MockTdsServer) -> Mock {
    let addr = server.local_addr();
    let registry = server.query_registry();
    let (tx, rx) = oneshot::channel();
    tokio::spawn(server.run_with_shutdown(rx));
    Mock { addr, registry, _shutdown: tx }
}

pub async fn plaintext_mock(group: &Group) -> Mock {
    let mock = spawn(MockTdsServer::new("127.0.0.1:0").await.expect("bind the mock")).await;
    group.serve(&mut *mock.registry.lock().await);
    mock
}

/// A strict (TDS 8.0) TLS mock with a self-signed certificate made for this run.
pub async fn strict_tls_mock(group: &Group) -> Mock {
    let (cert, key) = self_signed_pem();
    let identity = mssql_mock_tds::create_test_identity(&cert, &key).expect("identity");
    let mock = spawn(MockTdsServer::new_with_strict_tls("127.0.0.1:0", identity).await.expect("bind")).await;
    group.serve(&mut *mock.registry.lock().await);
    mock
}

pub fn self_signed_pem() -> (Vec<u8>, Vec<u8>) {
    use openssl::asn1::Asn1Time;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::x509::extension::SubjectAlternativeName;
    use openssl::x509::{X509NameBuilder, X509};
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "localhost").unwrap();
    let name = name.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap()).unwrap();
    b.set_not_after(&Asn1Time::days_from_now(1).unwrap()).unwrap();
    let san =
        SubjectAlternativeName::new().dns("localhost").ip("127.0.0.1").build(&b.x509v3_context(None, None)).unwrap();
    b.append_extension(san).unwrap();
    b.sign(&key, MessageDigest::sha256()).unwrap();
    (b.build().to_pem().unwrap(), key.private_key_to_pem_pkcs8().unwrap())
}

// ---------------------------------------------------------------- fixture rows

/// A cell of a fixture row.
#[derive(Clone)]
pub enum V {
    /// An integer.
    I(i64),
    S(&'static str),
    Null,
}

/// Column types the checks' queries return (strings as nvarchar(max), so NULL works).
#[derive(Clone, Copy)]
pub enum Ty {
    Int,
    Big,
    Str,
}

pub fn response(columns: &[(&str, Ty)], rows: Vec<Vec<V>>) -> QueryResponse {
    let defs = columns
        .iter()
        .map(|(name, ty)| {
            let data = match ty {
                Ty::Int => SqlDataType::Int,
                Ty::Big => SqlDataType::BigInt,
                Ty::Str => SqlDataType::NVarCharMax,
            };
            ColumnDefinition::new(*name, data)
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|row| {
            Row::new(
                row.into_iter()
                    .zip(columns)
                    .map(|(v, (_, ty))| match (v, ty) {
                        (V::Null, Ty::Str) => ColumnValue::NVarCharMaxNull,
                        (V::Null, _) => ColumnValue::Null,
                        (V::I(n), Ty::Big) => ColumnValue::BigInt(n),
                        (V::I(n), _) => ColumnValue::Int(n as i32),
                        (V::S(s), _) => ColumnValue::NVarCharMax(vec![s.encode_utf16().collect()]),
                    })
                    .collect(),
            )
        })
        .collect();
    QueryResponse::new(defs, rows)
}

/// What a BizTalk group's SQL Server answers to every check's queries.
#[derive(Clone)]
pub struct Group {
    pub version: (&'static str, &'static str, i64),
    pub tables: bool,
    /// Databases on the instance: name, hours since the last full and the last log backup.
    pub backups: Vec<(&'static str, V, V)>,
    /// What the Management database records: role, database, server (`adm_Group`,
    /// `adm_MessageBox`, and `custom` rows from `adm_OtherBackupDatabases`).
    pub group_databases: Vec<(&'static str, &'static str, &'static str)>,
    pub backup_job: Option<(i64, V)>,
    pub dta_job: Option<(i64, V)>,
    pub mail: (i64, i64),
    pub hosts: Vec<(&'static str, i64)>,
    pub sql_handlers: Vec<(&'static str, &'static str)>,
    pub biztalk: (i64, i64, i64, i64),
    pub servers: Vec<&'static str>,
    pub rta_count: Option<i64>,
    /// `SSOX_GlobalInfo.gi_SecretServer`; `None`: SSODB records no master secret server.
    pub sso_secret: Option<&'static str>,
    pub bam_space: Vec<(&'static str, &'static str, i64, i64)>,
    /// `adm_BackupHistory`: (set, database, time as style 120, `db`/`lg`, mark); empty: no table.
    pub backup_history: Vec<(i64, &'static str, &'static str, &'static str, Option<&'static str>)>,
    /// The rights query's row: sysadmin, then each right in `Right::ALL` order (1 held, 0 not).
    pub rights: Vec<V>,
    /// What HAS_PERMS_BY_NAME says for VIEW DEFINITION on every database.
    pub view_definition: i64,
}

pub fn healthy() -> Group {
    Group {
        version: ("13.0.5026.0", "Enterprise Edition (64-bit)", 3),
        tables: true,
        backups: ["master", "msdb", "BizTalkMgmtDb", "BizTalkMsgBoxDb", "BizTalkDTADb", "SSODB", "BAMPrimaryImport"]
            .into_iter()
            .map(|n| (n, V::I(5), V::I(1)))
            .collect(),
        group_databases: vec![
            ("management", "BizTalkMgmtDb", "SQL01"),
            ("MessageBox", "BizTalkMsgBoxDb", "sql01.contoso.local"),
            ("tracking", "BizTalkDTADb", "SQL01"),
            ("BAM", "BAMPrimaryImport", "SQL01"),
            ("custom", "OrdersArchive", "SQL02"),
        ],
        backup_job: Some((1, V::I(1))),
        dta_job: Some((1, V::I(1))),
        mail: (2, 1),
        hosts: vec![("BizTalkServerApplication", 1), ("BizTalkServerIsolatedHost", 0)],
        sql_handlers: vec![("BizTalkServerApplication", "receive"), ("BizTalkServerApplication", "send")],
        biztalk: (3, 11, 158, 0),
        servers: vec!["BTS01", "BTS02"],
        rta_count: Some(2),
        // A dedicated master secret server outside the group (the old check failed this).
        sso_secret: Some("SSOCLUSTER.contoso.local"),
        bam_space: vec![("BAMArchive", "E:\\", 2000, 50_000), ("BAMPrimaryImport", "E:\\", 3000, 50_000)],
        // Last night's marked log backup of every BizTalk database.
        backup_history: ["BizTalkMgmtDb", "BizTalkMsgBoxDb", "BizTalkDTADb", "SSODB", "BAMPrimaryImport"]
            .into_iter()
            .flat_map(|db| {
                [
                    (40, db, "2026-11-23 20:00:00", "db", None),
                    (41, db, "2026-11-24 01:15:00", "lg", Some("BTS_2026_11_24_01_15_00_123")),
                ]
            })
            .collect(),
        rights: vec![V::I(1); 8],
        view_definition: 1,
    }
}

/// A healthy group seen through a login with too few rights: it is not sysadmin, holds no
/// msdb right, cannot see every database or file and has no VIEW DEFINITION, so SQL Server
/// hides the rows (no databases, no jobs, no files, no BAM or SSO tables) instead of refusing.
pub fn restricted() -> Group {
    Group {
        backups: vec![("master", V::I(5), V::I(1)), ("msdb", V::I(5), V::I(1))],
        backup_job: None,
        dta_job: None,
        mail: (0, 1),
        rta_count: None,
        bam_space: vec![],
        rights: vec![V::I(0), V::I(0), V::I(0), V::I(0), V::I(0), V::I(0), V::I(0), V::Null],
        view_definition: 0,
        ..healthy()
    }
}

pub fn unhealthy() -> Group {
    Group {
        version: ("12.0.2000.8", "Standard Edition (64-bit)", 2),
        tables: true,
        backups: vec![
            ("master", V::I(5), V::I(1)),
            ("msdb", V::I(5), V::I(1)),
            ("BizTalkMgmtDb", V::Null, V::Null),
            ("BizTalkMsgBoxDb", V::I(400), V::I(400)),
            // Six days old: on a blocker that fails (before, it only warned, and EDI was not read).
            ("BizTalkEDIDb", V::I(144), V::I(1)),
        ],
        // A custom database the backup job is told to back up, absent from this instance.
        group_databases: vec![
            ("management", "BizTalkMgmtDb", "SQL01"),
            ("MessageBox", "BizTalkMsgBoxDb", "SQL01"),
            ("tracking", "BizTalkDTADb", "SQL01"),
            ("custom", "OrdersArchive", "SQL01"),
        ],
        backup_job: None,
        dta_job: Some((0, V::Null)),
        mail: (0, 0),
        hosts: vec![("SqlAdapterHost", 1)],
        sql_handlers: vec![("SqlAdapterHost", "send")],
        biztalk: (3, 9, 469, 0),
        servers: vec![],
        rta_count: Some(3),
        sso_secret: None,
        bam_space: vec![("BAMArchive", "E:\\", 6000, 4000), ("BAMPrimaryImport", "E:\\", 3000, 4000)],
        backup_history: vec![],
        rights: vec![V::I(1); 8],
        view_definition: 1,
    }
}

/// The group after setup upgraded the Management database to 2016 and stopped: the jobs came
/// back disabled, Database Mail was never set up for BAM Alerts, backups are a day and a half old.
pub fn half_upgraded() -> Group {
    Group {
        biztalk: (3, 12, 774, 0),
        backups: healthy().backups.into_iter().map(|(n, _, log)| (n, V::I(36), log)).collect(),
        backup_job: Some((0, V::Null)),
        dta_job: Some((0, V::I(1))),
        mail: (0, 1),
        ..healthy()
    }
}

/// A fixture string that lives as long as the mock.
fn leak(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

pub const JOB_COLUMNS: &[(&str, Ty)] = &[
    ("job_name", Ty::Str),
    ("enabled", Ty::Int),
    ("last_run_status", Ty::Int),
    ("last_run_date", Ty::Int),
    ("last_run_time", Ty::Int),
];

impl Group {
    fn serve(&self, reg: &mut QueryRegistry) {
        let (version, edition, engine) = self.version;
        reg.register(
            queries::server_version(),
            response(
                &[
                    ("product_version", Ty::Str),
                    ("edition", Ty::Str),
                    ("engine_edition", Ty::Int),
                    ("product_level", Ty::Str),
                ],
                vec![vec![V::S(version), V::S(edition), V::I(engine), V::S("SP2")]],
            ),
        );
        let columns: Vec<(&str, Ty)> = [
            "is_sysadmin",
            "view_any_database",
            "view_any_definition",
            "view_server_state",
            "msdb_backupset",
            "msdb_sysjobs",
            "msdb_sysjobhistory",
            "msdb_sysmail_profile",
        ]
        .into_iter()
        .map(|c| (c, Ty::Int))
        .collect();
        reg.register(sql_rights::query(), response(&columns, vec![self.rights.clone()]));
        for db in [None, Some("BAMPrimaryImport"), Some("SSODB")] {
            reg.register(
                sql_rights::view_definition_query(db),
                response(&[("view_definition", Ty::Int)], vec![vec![V::I(self.view_definition)]]),
            );
        }
        let id = |n: i64| response(&[("object_id", Ty::Int)], vec![vec![V::I(n)]]);
        if self.tables {
            for table in ["dbo.adm_Host", "dbo.adm_Group", "dbo.adm_Adapter", "dbo.BizTalkDBVersion", "dbo.adm_Server"]
            {
                reg.register(queries::object_id(table), id(1000));
            }
        }
        let spec = |id: &str| KnowledgeBase::embedded().unwrap().check(id).cloned().expect(id);
        if let bts_doctor::kb::check_spec::Probe::SqlDatabaseBackups { required, optional } =
            spec("sql-database-backups").probe
        {
            use bts_doctor::checks::sql_backups::{self, GroupDatabase};
            let custom = self.group_databases.iter().any(|(role, _, _)| *role == "custom");
            if self.tables {
                reg.register(queries::object_id("dbo.adm_MessageBox"), id(1002));
                if custom {
                    reg.register(queries::object_id("dbo.adm_OtherBackupDatabases"), id(1003));
                }
            }
            let group: Vec<GroupDatabase> = self
                .group_databases
                .iter()
                .map(|(role, name, server)| GroupDatabase {
                    role: role.to_string(),
                    name: name.to_string(),
                    server: server.to_string(),
                })
                .collect();
            let rows =
                group.iter().map(|d| vec![V::S(leak(&d.role)), V::S(leak(&d.name)), V::S(leak(&d.server))]).collect();
            reg.register(
                sql_backups::queries::group_databases(custom),
                response(&[("role", Ty::Str), ("database_name", Ty::Str), ("server_name", Ty::Str)], rows),
            );
            let scope = sql_backups::scope(&required, &optional, self.tables.then_some(&group[..]), "SQL01");
            let rows = self
                .backups
                .iter()
                .map(|(n, full, log)| vec![V::S(n), full.clone(), V::S("FULL"), log.clone()])
                .collect();
            reg.register(
                sql_backups::queries::backups(&scope.names()),
                response(
                    &[
                        ("database_name", Ty::Str),
                        ("hours_since_full", Ty::Int),
                        ("recovery_model", Ty::Str),
                        ("hours_since_log", Ty::Int),
                    ],
                    rows,
                ),
            );
        }
        for (name, job, suffix) in [
            ("Backup BizTalk Server", &self.backup_job, "(BizTalkMgmtDb)"),
            ("DTA Purge and Archive", &self.dta_job, "(BizTalkDTADb)"),
        ] {
            let full: &'static str = Box::leak(format!("{name} {suffix}").into_boxed_str());
            let rows = match job {
                Some((enabled, status)) => {
                    vec![vec![V::S(full), V::I(*enabled), status.clone(), V::I(20261123), V::I(231500)]]
                }
                None => vec![],
            };
            reg.register(queries::agent_job(name), response(JOB_COLUMNS, rows));
        }
        reg.register(
            queries::database_mail(),
            response(
                &[("profiles", Ty::Int), ("xps_enabled", Ty::Int)],
                vec![vec![V::I(self.mail.0), V::I(self.mail.1)]],
            ),
        );
        let hosts = self.hosts.iter().map(|(n, d)| vec![V::S(n), V::I(*d)]).collect();
        reg.register(queries::hosts(), response(&[("host_name", Ty::Str), ("is_default", Ty::Int)], hosts));
        let handlers = self.sql_handlers.iter().map(|(h, d)| vec![V::S(h), V::S(d)]).collect();
        reg.register(
            queries::adapter_handlers("SQL"),
            response(&[("host_name", Ty::Str), ("direction", Ty::Str)], handlers),
        );
        let (major, minor, build, rev) = self.biztalk;
        reg.register(
            queries::biztalk_version(),
            response(
                &[
                    ("product_major", Ty::Int),
                    ("product_minor", Ty::Int),
                    ("product_build", Ty::Int),
                    ("product_revision", Ty::Int),
                    ("description", Ty::Str),
                ],
                vec![vec![V::I(major), V::I(minor), V::I(build), V::I(rev), V::Null]],
            ),
        );
        let servers = self.servers.iter().map(|s| vec![V::S(s)]).collect();
        reg.register(queries::group_servers(), response(&[("server_name", Ty::Str)], servers));
        let db_id = |n: i64| response(&[("database_id", Ty::Int)], vec![vec![V::I(n)]]);
        if let Some(count) = self.rta_count {
            reg.register(queries::database_id("BAMPrimaryImport"), db_id(7));
            reg.register(
                queries::object_id(&queries::table_in("BAMPrimaryImport", "bam_Metadata_RealTimeAggregations")),
                id(77),
            );
            reg.register(
                queries::bam_rta_count("BAMPrimaryImport"),
                response(&[("rta_count", Ty::Int)], vec![vec![V::I(count)]]),
            );
        }
        reg.register(queries::database_id("SSODB"), db_id(8));
        if self.view_definition == 1 {
            reg.register(queries::object_id(&queries::table_in("SSODB", "SSOX_GlobalInfo")), id(88));
        }
        let secret = self.sso_secret.map_or(V::Null, V::S);
        reg.register(queries::sso_secret_server("SSODB"), response(&[("secret_server", Ty::Str)], vec![vec![secret]]));
        if !self.backup_history.is_empty() {
            reg.register(queries::object_id("dbo.adm_BackupHistory"), id(1001));
            let rows = self
                .backup_history
                .iter()
                .map(|(set, db, time, kind, mark)| {
                    let file: &'static str = Box::leak(format!("{db}_{set}.bak").into_boxed_str());
                    vec![
                        V::I(*set),
                        V::S(db),
                        V::S("SQL01"),
                        V::S(time),
                        V::S(kind),
                        mark.map_or(V::Null, V::S),
                        V::S("F:\\Backup"),
                        V::S(file),
                    ]
                })
                .collect();
            reg.register(
                bts_doctor::checks::sql_probes::restore_queries::backup_history(),
                response(
                    &[
                        ("backup_set", Ty::Big),
                        ("database_name", Ty::Str),
                        ("server_name", Ty::Str),
                        ("backup_time", Ty::Str),
                        ("backup_type", Ty::Str),
                        ("mark_name", Ty::Str),
                        ("file_location", Ty::Str),
                        ("file_name", Ty::Str),
                    ],
                    rows,
                ),
            );
        }
        let space = self.bam_space.iter().map(|(d, v, s, f)| vec![V::S(d), V::S(v), V::I(*s), V::I(*f)]).collect();
        let bam = vec!["BAMPrimaryImport".to_string(), "BAMArchive".to_string(), "BAMStarSchema".to_string()];
        reg.register(
            queries::bam_space(&bam),
            response(
                &[("database_name", Ty::Str), ("volume", Ty::Str), ("size_mb", Ty::Big), ("free_mb", Ty::Big)],
                space,
            ),
        );
    }
}
