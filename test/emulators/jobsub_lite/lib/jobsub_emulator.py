"""
A jobsub_lite emulator for POMS Desktop's integration tests.

It runs on a single-node HTCondor pool (test/services/condor.sh) and behaves, on the command line, like
Fermilab's jobsub_lite client (protocols.md section 1): the same options, the same output, the same
error conventions and exit codes. Underneath, it runs the real condor_submit / condor_q / condor_rm /
condor_hold / condor_release / condor_history of that pool.

One real schedd is presented as several jobsub schedds (default jobsub01.fnal.gov and
jobsub02.fnal.gov, /etc/jobsub-emulator/schedds). A job belongs to the schedd named in its
JobsubJobId attribute ("<cluster>.<proc>@<schedd>"); every condor command run "on" a schedd is
restricted to that schedd's jobs, so each name behaves like a separate schedd. A schedd can be made
unreachable (knob schedds-down): its commands are then sent to an address where nothing listens, and
the real condor tools print their real connection errors for it.

Knobs: a file in /etc/jobsub-emulator (the test user may write there) or an environment variable,
which wins. See README.md.

Python 3 standard library only: it runs inside the HTCondor chroot.
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import pprint
import random
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import uuid

VERSION = "1.11"  # the jobsub_lite release this emulates (options and output of the 2025 snapshot)
ETC = "/etc/jobsub-emulator"
DEFAULT_SCHEDDS = ["jobsub01.fnal.gov", "jobsub02.fnal.gov"]
# Where a "down" schedd's commands go: nothing listens on port 1, so condor fails to connect at once.
DEAD_ADDRESS = "<127.0.0.1:1>"
CONDOR_BIN = "/usr/bin"
DEFAULT_ROLE = "Analysis"
DEFAULT_USAGE_MODELS = ["DEDICATED", "OPPORTUNISTIC", "OFFSITE"]
DEFAULT_SINGULARITY_IMAGE = "/cvmfs/singularity.opensciencegrid.org/fermilab/fnal-wn-el9:latest"
ONSITE_SITE_NAME = "FermiGrid"
HIGHLIGHT = f"\n{'=-' * 30}\n\n"

VERBOSE = 0
PREFIX = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


# --------------------------------------------------------------------------------------------------
# Knobs and site configuration


def knob(name, env):
    """A knob's value: the environment variable if set (even empty), else the file's stripped
    content, else None. An existing empty file reads as ''."""
    if env in os.environ:
        return os.environ[env]
    path = os.path.join(ETC, name)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return None


def knob_on(name, env):
    """A switch: on when the environment variable is set to anything but ''/0/false/no/off, or,
    without the variable, when the file exists."""
    if env in os.environ:
        return os.environ[env].strip().lower() not in ("", "0", "false", "no", "off")
    return os.path.exists(os.path.join(ETC, name))


def load_site_env():
    """Site defaults for the environment (what a jobsub host's profile would set), never overriding
    what the caller already has."""
    path = os.path.join(ETC, "site.env")
    if not os.path.isfile(path):
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


def schedd_names():
    value = knob("schedds", "JOBSUB_EMULATOR_SCHEDDS")
    names = value.replace(",", " ").split() if value else []
    return names or list(DEFAULT_SCHEDDS)


def down_schedds():
    value = knob("schedds-down", "JOBSUB_EMULATOR_SCHEDDS_DOWN") or ""
    return set(value.replace(",", " ").split())


def is_down(schedd):
    return schedd in down_schedds()


def partition(schedd):
    """The ClassAd constraint selecting the jobs of one emulated schedd. Jobs without a JobsubJobId
    (submitted with plain condor_submit) belong to the first schedd."""
    own = f'JobsubJobId =?= strcat(ClusterId, ".", ProcId, "@{schedd}")'
    if schedd == schedd_names()[0]:
        return f"(JobsubJobId =?= undefined || {own})"
    return f"({own})"


_real_name = None


def real_schedd_name():
    """The real schedd's Name (what HTCondor puts at the front of GlobalJobId)."""
    global _real_name  # pylint: disable=global-statement
    if _real_name is None:
        out = subprocess.run([f"{CONDOR_BIN}/condor_config_val", "SCHEDD_NAME"], capture_output=True, text=True, check=False)
        name = out.stdout.strip() if out.returncode == 0 else ""
        if not name:
            out = subprocess.run([f"{CONDOR_BIN}/condor_config_val", "FULL_HOSTNAME"], capture_output=True, text=True, check=False)
            name = out.stdout.strip()
        _real_name = name
    return _real_name


def present_as(text, schedd):
    """Rewrite real-schedd names in condor output to the emulated schedd's name."""
    real = real_schedd_name()
    if not real or real == schedd:
        return text
    return text.replace(f"{real}#", f"{schedd}#").replace(f"-- Schedd: {real} :", f"-- Schedd: {schedd} :")


def run(argv, env=None, cwd=None):
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, check=False)


def down_env(env=None):
    """The environment that points condor's tools at a schedd that does not answer: the local
    schedd's address file (read when its daemon ad file is missing) is replaced by one naming
    DEAD_ADDRESS. The tools then fail the way they do for a schedd that is down."""
    real = run([f"{CONDOR_BIN}/condor_config_val", "SCHEDD_ADDRESS_FILE"]).stdout.strip()
    version_lines = []
    if real and os.path.isfile(real):
        with open(real, encoding="utf-8") as f:
            version_lines = f.read().splitlines()[1:3]
    directory = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"jobsub-emulator-{os.getuid()}")
    os.makedirs(directory, mode=0o700, exist_ok=True)
    path = os.path.join(directory, "down_schedd_address")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join([DEAD_ADDRESS] + version_lines) + "\n")
    return dict(env if env is not None else os.environ, _condor_SCHEDD_DAEMON_AD_FILE=os.path.join(directory, "no_such_ad_file"),
                _condor_SCHEDD_ADDRESS_FILE=path)


# --------------------------------------------------------------------------------------------------
# Tokens (jobsub_lite lib/fake_ifdh.py semantics; no signature verification)


class InvalidTokenFormat(Exception):
    """scitokens.utils.errors.InvalidTokenFormat"""


class ExpiredSignatureError(Exception):
    """jwt.ExpiredSignatureError"""


class DecodeError(Exception):
    """jwt.DecodeError"""


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def decode_token(serialized):
    """The claims of a serialized JWT, checked like scitokens/PyJWT do (format and expiry)."""
    info = serialized.strip().split(".")
    if len(info) not in (3, 4):
        raise InvalidTokenFormat("Serialized token is not a readable format.")
    try:
        claims = json.loads(b64url_decode(info[1]))
        json.loads(b64url_decode(info[0]))
    except Exception as e:  # pylint: disable=broad-except
        raise DecodeError(f"Invalid payload padding or JSON: {e}") from e
    if not isinstance(claims, dict):
        raise DecodeError("Invalid payload string: must be a json object")
    exp = claims.get("exp")
    if exp is not None and int(exp) <= time.time():
        raise ExpiredSignatureError("Signature has expired")
    return claims


def discover_token():
    """WLCG bearer token discovery, as scitokens.SciToken.discover does it."""
    if os.environ.get("BEARER_TOKEN"):
        return decode_token(os.environ["BEARER_TOKEN"])
    path = os.environ.get("BEARER_TOKEN_FILE")
    if path and os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            return decode_token(f.read())
    bt = os.path.join(os.environ.get("XDG_RUNTIME_DIR") or "/tmp", f"bt_u{os.geteuid()}")
    if os.path.isfile(bt):
        with open(bt, encoding="utf-8") as f:
            return decode_token(f.read())
    raise OSError("failed to identify a valid bearer token")


def wlcg_groups(claims):
    groups = claims.get("wlcg.groups")
    if not groups:
        raise TypeError("Token does not have a list of wlcg.groups, as is expected.  Please inspect bearer token with the httokendecode command")
    if not isinstance(groups, list):
        raise TypeError("Token is malformed:  wlcg.groups should be a list.  Please rerun htgettoken or allow jobsub to fetch a token for you.")
    return list(groups)


def group_and_role(groups):
    for g in groups:
        m = re.match(r"/(.+)/(.+)", g)
        if m:
            return m.group(1), m.group(2)
    for g in groups:
        m = re.match(r"/(.+)", g)
        if m:
            return m.group(1), DEFAULT_ROLE
    raise ValueError("wlcg.groups in token are malformed.  Please inspect token with httokendecode command")


def get_exp():
    if os.environ.get("GROUP"):
        return os.environ["GROUP"]
    return run(["id", "-gn"]).stdout.strip()


def get_role(role_override=None):
    """--role, else the default-role file, else the role in a valid token, else Analysis."""
    if role_override:
        return role_override
    uid = os.getuid()
    group = os.environ.get("GROUP") or get_exp()
    for prefix in ["/tmp/", f"{os.environ['HOME']}/.config/"]:
        fname = f"{prefix}jobsub_default_role_{group}_{uid}"
        if os.path.exists(fname) and os.stat(fname).st_uid == uid:
            with open(fname, encoding="utf-8") as f:
                return f.read().strip()
    if os.environ.get("BEARER_TOKEN_FILE") and os.path.exists(os.environ["BEARER_TOKEN_FILE"]):
        try:
            claims = discover_token()
        except InvalidTokenFormat as e:
            raise InvalidTokenFormat(
                "Token stored in $BEARER_TOKEN_FILE is not in a readable format. "
                "Please inspect the token with httokendecode or unset $BEARER_TOKEN_FILE and allow jobsub to create a new token."
            ) from e
        _, token_role = group_and_role(wlcg_groups(claims))
        return token_role.capitalize()
    return DEFAULT_ROLE


def check_token(group, role):
    """False when the token file is missing, expired or about to expire; raises on a token for the
    wrong group or role, or with malformed wlcg.groups."""
    if not os.path.exists(os.environ["BEARER_TOKEN_FILE"]):
        return False
    try:
        claims = discover_token()
    except ExpiredSignatureError:
        return False
    if int(str(claims.get("exp"))) - time.time() <= 60:
        return False
    token_group, token_role = group_and_role(wlcg_groups(claims))
    if token_group.lower() != group.lower() or token_role.lower() != role.lower():
        raise ValueError(
            "BEARER_TOKEN_FILE contains a token with the wrong group or role. "
            f"jobsub expects a token with group {group} and role {role}. "
            f"Instead, BEARER_TOKEN_FILE contains a token with group {token_group} and role {token_role}."
        )
    return True


def vault_opts():
    out = run([f"{CONDOR_BIN}/condor_config_val", "SEC_CREDENTIAL_GETTOKEN_OPTS"])
    return out.stdout.strip() if out.returncode == 0 else ""


def get_token(role):
    """Path of a valid bearer token for $GROUP and role, running htgettoken when needed."""
    tmp = os.environ.get("TMPDIR", "/tmp")
    exp = get_exp()
    issuer = "fermilab" if exp == "samdev" else exp
    if os.environ.get("BEARER_TOKEN_FILE") and os.path.exists(os.environ["BEARER_TOKEN_FILE"]):
        tokenfile = os.environ["BEARER_TOKEN_FILE"]
    else:
        tokenfile = f"{tmp}/bt_token_{issuer}_{role}_{os.getuid()}"
        os.environ["BEARER_TOKEN_FILE"] = tokenfile
    try:
        token_ok = check_token(exp, role)
    except (ValueError, TypeError):
        raise
    except Exception:  # pylint: disable=broad-except
        token_ok = False
    if not token_ok:
        cmd = f"htgettoken {vault_opts()} -i {issuer}"
        if role != DEFAULT_ROLE:
            cmd = f"{cmd} -r {role.lower()}"
        if VERBOSE > 0:
            sys.stderr.write(f"Running: {cmd}")
        if os.system(cmd) != 0:
            raise PermissionError(f"Failed attempting '{cmd}'")
        if not check_token(exp, role):
            raise PermissionError(f"Failed validating token from '{cmd}'")
    return tokenfile


REQUIRED_AUTH_METHODS = [v.strip() for v in os.environ.get("JOBSUB_REQUIRED_AUTH_METHODS", "token").split(",")]
SUPPORTED_AUTH_METHODS = sorted(set(["token", "proxy"] + REQUIRED_AUTH_METHODS), key=lambda m: (m != "token", m))


def get_creds(args):
    """jobsub's creds.get_creds: the role, then a token. Proxies are not emulated (see README)."""
    role = get_role(args.get("role"))
    args["role"] = role
    methods = SUPPORTED_AUTH_METHODS
    if os.environ.get("JOBSUB_AUTH_METHODS"):
        methods = os.environ["JOBSUB_AUTH_METHODS"].split(",")
    if args.get("auth_methods"):
        methods = str(args["auth_methods"]).split(",")
    if not set(REQUIRED_AUTH_METHODS) & set(methods):
        raise TypeError(
            f"Missing required authorization method(s) {list(set(REQUIRED_AUTH_METHODS).difference(set(methods)))} "
            f"in requested authorization methods {methods}"
        )
    if VERBOSE > 0:
        print(f"Requested auth methods are: {methods}")
    token = get_token(role).strip() if "token" in methods else None
    if token:
        os.environ["BEARER_TOKEN_FILE"] = token
    return token


# --------------------------------------------------------------------------------------------------
# Argument parsing (option names, order and defaults as jobsub_lite lib/get_parser.py has them, so
# that argparse's usage and error texts come out the same)


class StoreGroupinEnvironment(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        os.environ["GROUP"] = values
        setattr(namespace, self.dest, values)


class ConvertDebugToVerbose(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, True)
        setattr(namespace, "verbose", 1)


class SetPool(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)


SKIP_CHECKS = ["rcds"]


class VerifyAndAddSkipCheck(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        if values not in SKIP_CHECKS:
            raise TypeError(f'Invalid argument to flag --skip-check: "{values}". Value must be one of the following: {SKIP_CHECKS}')
        checks = getattr(namespace, self.dest, [])
        if values not in checks:
            checks.append(values)
            setattr(namespace, self.dest, checks)
            setattr(namespace, f"skip_check_{values}", True)


class CheckIfValidSchedd(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        valid = schedd_names()
        if values not in valid:
            raise TypeError(f"Invalid schedd specified: {values}.  Valid choices are {valid}")
        setattr(namespace, self.dest, values)


class CheckIfValidAuthMethod(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        values_list = [v.strip() for v in values.split(",") if v.strip() != ""]
        if not values_list:
            setattr(namespace, self.dest, ",".join(SUPPORTED_AUTH_METHODS))
            return
        if not set(REQUIRED_AUTH_METHODS) & set(values_list):
            raise ValueError(
                "The jobsub_lite infrastructure requires that the following "
                f"authorization methods be present: {REQUIRED_AUTH_METHODS}."
            )
        for v in values_list:
            if v not in SUPPORTED_AUTH_METHODS:
                raise ValueError(f"Invalid auth method {v}.  Supported auth methods are {SUPPORTED_AUTH_METHODS}.")
        setattr(namespace, self.dest, ",".join(values_list))


def verify_executable_starts_with_file_colon(s):
    """argparse type for the executable; argparse reports the TypeError as
    "invalid verify_executable_starts_with_file_colon value: '...'", as jobsub_lite's does."""
    if s.startswith("file://"):
        return s
    raise TypeError("executable must start with file://")


def base_parser(parser):
    group = parser.add_argument_group("general arguments")
    if os.environ.get("JOBSUB_GROUP", ""):
        os.environ["GROUP"] = os.environ["JOBSUB_GROUP"]
    group.add_argument("--auth-methods", action=CheckIfValidAuthMethod, required=False,
                       default=os.environ.get("JOBSUB_AUTH_METHODS", ",".join(SUPPORTED_AUTH_METHODS)),
                       help="authorization methods (token required)")
    group.add_argument("-G", "--group", action=StoreGroupinEnvironment, default=os.environ.get("GROUP", None),
                       help="Group/Experiment/Subgroup for priorities and accounting")
    parser.add_argument("--global-pool", default="", action=SetPool, help="direct jobs/commands to a particular known global pool")
    group.add_argument("--role", help="VOMS Role for priorities and accounting")
    group.add_argument("--subgroup", help="Subgroup for priorities and accounting")
    group.add_argument("--verbose", type=int, default=0, help="more information on internal state")
    group.add_argument("--debug", action=ConvertDebugToVerbose, nargs=0, help="same as --verbose 1")
    parser.add_argument("--devserver", default=False, action="store_true", help="use the development schedds")
    group.add_argument("--version", action="version", version=f"jobsub_lite version {VERSION} (POMS Desktop emulator)")
    group.add_argument("--support-email", action="store_true", default=False, help="jobsub_lite support email")
    parser.add_argument("--schedd-for-testing", type=str, action=CheckIfValidSchedd, help=argparse.SUPPRESS)
    return parser


def jobid_parser(parser):
    parser = base_parser(parser)
    parser.add_argument("-J", "--jobid", dest="jobid", help="job/submission ID")
    parser.add_argument("--constraint", help="Condor constraint to filter jobs returned")
    return parser


def submit_parser(parser):
    parser = base_parser(parser)
    parser.add_argument("--job-info", action="append", default=[], help="script to call with jobid and command line when job is submitted")
    parser.add_argument("--need-storage-modify", action="append", default=[], help="directories needing storage.modify scope in job tokens")
    parser.add_argument("--need-scope", action="append", default=[], help="scopes needed in job tokens")
    a = parser.add_argument
    a("-c", "--append_condor_requirements", "--append-condor-requirements", action="append", default=[], help="append condor requirements")
    a("--blocklist", "--blacklist", dest="blocklist", default="", help="sites jobs must not run at")
    a("-r", help="Experiment release version")
    a("-i", help="Experiment release dir")
    a("-t", help="Experiment test release dir")
    a("--cmtconfig", default=os.environ.get("CMTCONFIG", ""), help="cmt configuration")
    a("--cpu", metavar="NUMBER", help="Request worker nodes have at least NUMBER cpus")
    a("--dag", action="store_true", default=False, help="submit and run a dagNabbit input file")
    a("--dataset-definition", "--dataset_definition", "--dataset", help="SAM dataset definition used in a DAG")
    a("--dd-percentage", type=int, default=100, help="percentage of the dataset to stage")
    a("--dd-extra-dataset", action="append", default=[], help="extra dataset to check as staged")
    a("--disk", default="10GB", help="disk NUMBER[UNITS], default unit KB")
    a("-d", nargs=2, action="append", default=[], metavar=("tag", "dir"), help="writable directory $CONDOR_DIR_<tag> copied to dir")
    a("--email-to", default=f"{os.environ['USER']}@fnal.gov", help="email address for job reports")
    a("-e", "--environment", default=[], action="append", help="VAR or VAR=VAL exported to the job")
    a("--expected-lifetime", default="8h", help="'short'|'medium'|'long'|NUMBER[UNITS]")
    a("-f", dest="input_file", default=[], action="append", help="input file copied to $CONDOR_DIR_INPUT")
    a("--generate-email-summary", action="store_true", default=False, help="mail a summary of a DAG")
    a("--gpu", metavar="NUMBER", help="request worker nodes have at least NUMBER gpus")
    a("-L", "--log-file", "--log_file", help="Log file to hold log output from job.")
    a("-l", "--lines", action="append", default=[""], help="Lines to append to the job file.")
    a("--project-name", "--project_name", default="", help="Project name for --dataset-definition DAGs")
    a("-Q", "--mail_never", "--mail-never", dest="mail", action="store_const", const="Never", default="Never", help="never send mail (default)")
    a("--mail_on_error", "--mail-on-error", dest="mail", action="store_const", const="Error", help="send mail if job fails")
    a("--mail_always", "--mail-always", dest="mail", action="store_const", const="Always", help="send mail about job results")
    a("--maxConcurrent", type=int, default=0, help="max number of jobs running concurrently")
    a("--managed-token", action="store_const", const=True,
      default=os.environ.get("JOBSUB_MANAGED_TOKEN", "").lower() not in ["0", "false", "", "no"], help="vault token managed externally")
    a("--memory", default="2GB", help="memory NUMBER[UNITS], default unit MB")
    a("-N", default=1, type=int, help="submit N copies of this job")
    a("-n", "--no_submit", "--no-submit", default=False, action="store_true", help="generate condor_command file but do not submit")
    a("--no-env-cleanup", default=False, action="store_true", help="do not clean environment in wrapper script")
    a("--OS", default=None, help="OS version of worker node")
    a("--overwrite-condor-requirements", "--overwrite_condor_requirements", help="overwrite default condor requirements")
    a("--resource-provides", action="append", default=[], help="KEY=VAL becomes +DESIRED_KEY=\"VAL\"")
    a("--skip-check", type=str, action=VerifyAndAddSkipCheck, default=[], help="skip a check")
    a("--tar_file_name", "--tar-file-name", default=[], action="append", help="dropbox://TAR_FILE or tardir://DIR")
    a("--tarball-exclusion-file", default=None, help="patterns to exclude from tarfile creation")
    a("--timeout", help="kill user job if still running after NUMBER[UNITS] of time")
    a("--use-cvmfs-dropbox", dest="use_dropbox", action="store_const", const="cvmfs", default=None, help="use cvmfs for dropbox")
    a("--use-pnfs-dropbox", dest="use_dropbox", action="store_const", const="pnfs", default=None, help="use pnfs for dropbox")
    a("executable", type=verify_executable_starts_with_file_colon, default=None, nargs="?", help="executable for job to run")
    usage_model = parser.add_mutually_exclusive_group()
    usage_model.add_argument("--site", type=str, default="", help="submit jobs to these (comma-separated) sites")
    usage_model.add_argument("--onsite", "--onsite-only", dest="usage_model", action="store_const", const="OPPORTUNISTIC,DEDICATED",
                             default=",".join(DEFAULT_USAGE_MODELS), help="run jobs locally only")
    usage_model.add_argument("--offsite", "--offsite-only", dest="usage_model", action="store_const", const="OFFSITE",
                             default=",".join(DEFAULT_USAGE_MODELS), help="run jobs offsite")
    singularity = parser.add_mutually_exclusive_group()
    singularity.add_argument("--singularity-image", "--apptainer-image", default=DEFAULT_SINGULARITY_IMAGE, help="Singularity image to run jobs in")
    singularity.add_argument("--no-singularity", "--no-apptainer", action="store_true", help="Don't request a singularity container")
    a("exe_arguments", nargs=argparse.REMAINDER, help="arguments to executable")
    return parser


def backslash_escape_layer(argv):
    r"""One layer of \x -> x, and one layer of '...' quotes (jobsub_client compatibility)."""
    for i, arg in enumerate(argv):
        arg = re.sub(r"(?!\\)'(.*[^\\])'", "\\1", arg)
        argv[i] = re.sub(r"\\(.)", "\\1", arg)


def main_wrapper(fn):
    """jobsub_lite's top level: any exception is "Error: <Class>: <message>" on stderr, exit 1
    (with --verbose the traceback instead)."""
    load_site_env()
    try:
        fn(sys.argv)
    except Exception as e:  # pylint: disable=broad-except
        if VERBOSE:
            raise
        sys.stderr.write(f"\n\nError: {e.__class__.__name__}: {str(e)}\n\n")
        sys.exit(1)


# --------------------------------------------------------------------------------------------------
# jobsub_submit


def get_env_list(name):
    return [x for x in os.environ.get(name, "").split(",") if x]


def sanitize_lines(lines):
    """jobsub checks each --lines entry parses as a ClassAd; the emulator only rejects a non-empty
    line without an '=' (a superset of what ClassAd parsing accepts)."""
    for line in lines:
        if line and "=" not in line:
            raise SyntaxError(f"in --lines '{line}'")


def fix_unit(args, name, table, s_offset, s_list, c_offset):
    value = args[name]
    if isinstance(value, float):
        return
    if value and value[s_offset].lower() in s_list:
        args[name] = float(value[:c_offset]) * table[value[c_offset].lower()]
    elif value:
        try:
            args[name] = float(value)
        except ValueError as e:
            cmd = os.path.basename(sys.argv[0])
            suff = s_list if len(s_list) == 1 else ""
            ulist = [f"{a}{suff}" for a in table]
            raise ValueError(f"{cmd}: error: unable to convert units on argument '{value}', expected units from {repr(ulist)}") from e


class SiteAndUsageModelConflictError(Exception):
    def __init__(self, site, usage_model):
        super().__init__(
            f"Site {site} and usage_model {usage_model} are in "
            "conflict.  Please ensure that you are not attempting to submit "
            f"jobs that request to run at {ONSITE_SITE_NAME} while also "
            "requesting to run only OFFSITE, or that you are not requesting to "
            "run with OPPORTUNISTIC or DEDICATED usage_models while specifying "
            f"a site list that does not include {ONSITE_SITE_NAME}."
        )


class SiteAndBlocklistConflictError(Exception):
    def __init__(self, common):
        super().__init__(
            "The following site(s) are both in the --site and --blocklist "
            f"argument: {common}. If your job tries to "
            "run at one of these sites, it will never start.  Please adjust "
            "either the --site list or the --blocklist list."
        )


def resolve_site_and_usage_model(given_sites, given_usage_model, provides):
    """(sites, usage models, resource-provides) as jobsub_lite's utils.resolve_site_and_usage_model."""
    um_re = re.compile("usage_model=(.+)")

    def check(sites, models):
        lower = [s.lower() for s in sites]
        if "OFFSITE" not in models and lower not in ([ONSITE_SITE_NAME.lower()], [""]):
            raise SiteAndUsageModelConflictError(",".join(sites), ",".join(models))
        if models == ["OFFSITE"] and ONSITE_SITE_NAME.lower() in lower:
            raise SiteAndUsageModelConflictError(",".join(sites), ",".join(models))

    def strip(rp):
        out = []
        for r in rp:
            if um_re.match(r):
                print("Warning:  As --site or --onsite/--offsite were provided, we will "
                      f"ignore this usage_model designation in --resource-provides: {r}.")
            else:
                out.append(r)
        return out

    sites = ",".join(ONSITE_SITE_NAME if s.lower() == ONSITE_SITE_NAME.lower() else s for s in given_sites.split(","))
    site_list = sites.split(",")
    if sites != "":
        lower = [s.lower() for s in site_list]
        if len(site_list) == 1 and lower[0] == ONSITE_SITE_NAME.lower():
            models = "DEDICATED,OPPORTUNISTIC"
        elif ONSITE_SITE_NAME.lower() in lower:
            models = "DEDICATED,OPPORTUNISTIC,OFFSITE"
        else:
            models = "OFFSITE"
        check(site_list, models.split(","))
        return sites.strip(", "), models.strip(", "), strip(provides)
    models = given_usage_model.split(",")
    if given_usage_model != "" and sorted(models) != sorted(DEFAULT_USAGE_MODELS):
        derived = ""
        if "OFFSITE" not in models:
            derived = ONSITE_SITE_NAME
            site_list = [derived]
        check(site_list, models)
        return derived.strip(", "), given_usage_model.strip(", "), strip(provides)
    for r in provides:
        m = um_re.match(r)
        if m:
            models = m.group(1).strip('"').split(",")
            derived = ""
            if "OFFSITE" not in models and given_sites == "":
                derived = ONSITE_SITE_NAME
                site_list = [derived]
            check(site_list, models)
            return derived, "", provides
    return "", ",".join(DEFAULT_USAGE_MODELS), strip(provides)


def job_scopes(claims, need_modify, need_scopes):
    scopes = [s for s in str(claims.get("scope")).split(" ") if s and s.split(":", 1)[0] != "storage.modify"]
    for d in need_modify:
        scopes.append(f"storage.modify:{os.path.normpath(d)}")
    scopes.extend(need_scopes)
    scopes.sort(key=len)
    return scopes


def render_submit(v):
    """The submit description (jobsub_lite templates/simple/simple.cmd, less what needs FNAL
    infrastructure: use_oauth_services/credd and x509 proxies; see README)."""
    filebase = f"{v['exe_base']}{v['datetime']}{v['uuid']}cluster.$(Cluster).$(Process)"
    if v["token"]:
        cred = f"{v['group']}_{v['role'].lower()}_{v['oauth_handle']}.use" if v["role"] and v["role"] != DEFAULT_ROLE else f"{v['group']}_{v['oauth_handle']}.use"
        token_env = f"BEARER_TOKEN_FILE=.condor_creds/{cred}"
    else:
        token_env = ""
    env = (f"CM1=$(CM1);CM2=$(CM2);CLUSTER=$(Cluster);PROCESS=$(Process);JOBSUBJOBSECTION=$(JOBSUBJOBSECTION);"
           f"CONDOR_TMP={v['outdir']};{token_env};CONDOR_EXEC=/tmp;DAGMANJOBID=$(DAGManJobId);GRID_USER={v['user']};"
           f"JOBSUBJOBID=$(CLUSTER).$(PROCESS)@{v['schedd']};EXPERIMENT={v['group']};TRACEPARENT=;{';'.join(v['environment'])}")
    inputs = [v["exe_base"]] + ([".condor_creds"] if v["token"] else [])
    L = ["", "# generated by jobsub_lite (POMS Desktop emulator)", "universe           = vanilla", "executable         = simple.sh",
         f"arguments          = {' '.join(v['exe_arguments'])}", f"output             = {filebase}.out", f"error              = {filebase}.err",
         f"log                = {filebase}.log", "", "JOBSUBJOBSECTION=$(Process)", 'TRACEPARENT=""', "+TraceParent=$(TRACEPARENT)", "",
         f"environment        = {env}", "rank               = Mips / 2 + Memory", "job_lease_duration = 3600",
         "transfer_output    = True", "transfer_error     = True", "transfer_executable= True",
         "should_transfer_files = YES", f"transfer_input_files = {','.join(inputs)}",
         "transfer_output_files = .empty_file", "when_to_transfer_output = ON_EXIT_OR_EVICT"]
    if v.get("cpu"):
        L.append(f"request_cpus = {v['cpu']}")
    if v.get("gpu"):
        L += [f"request_GPUs = {v['gpu']}", f"+RequestGPUs = {v['gpu']}"]
    if v.get("memory"):
        L.append(f"request_memory = {v['memory']}")
    if v.get("disk"):
        L.append(f"request_disk = {v['disk']}KB")
    if v.get("OS"):
        L.append(f'+DesiredOS="{v["OS"]}"')
    L += [f'+JobsubClientIpAddress="{v["ipaddr"]}"', f'+JobsubServerVersion="{v["jobsub_version"]}"',
          f'+JobsubClientVersion="{v["jobsub_version"]}"', f'+JobsubClientKerberosPrincipal="{v["kerberos_principal"]}"',
          f"+JOB_EXPECTED_MAX_LIFETIME = {v['expected_lifetime']}", f'notify_user = "{v["email_to"]}"', f"notification = {v['mail']}", "",
          "# set command to user executable for jobsub_q", f'+JobsubCmd = "{v["exe_base"]}"', ""]
    if v.get("subgroup"):
        L.append(f'+AccountingGroup = "group_{v["group"]}.{v["subgroup"]}.{v["user"]}"')
    else:
        L.append(f'+AccountingGroup = "group_{v["group"]}.{v["user"]}"')
    L += ["", f'+Jobsub_Group="{v["group"]}"', f'+JobsubJobId="$(CLUSTER).$(PROCESS)@{v["schedd"]}"',
          f'+JobsubOutputURL="{v["outurl"]}"', f'+JobsubUUID="{v["uuid"]}"', "+Drain = False", "+LeaveJobInQueue = False", ""]
    if v["site"] != "LOCAL":
        L.append(f'+DESIRED_SITES = "{v["site"]}"')
    if v.get("blocklist"):
        L.append(f'+Blacklist_Sites = "{v["blocklist"]}"')
    L.append(f'+GeneratedBy ="{v["jobsub_version"]} {v["schedd"]}"')
    if v.get("usage_model"):
        L.append(f'+DESIRED_usage_model = "{v["usage_model"]}"')
    if v.get("skip_check"):
        L.append(f'+JobsubSkipChecks = "{",".join(v["skip_check"])}"')
    for rp in v["resource_provides_quoted"]:
        L.append(f"+DESIRED_{rp}")
    L.append("\n".join(v["lines"]))
    if v.get("overwrite_condor_requirements"):
        req = v["overwrite_condor_requirements"]
    else:
        req = ("target.machine =!= MachineAttrMachine1 && target.machine =!= MachineAttrMachine2 && "
               "(isUndefined(DesiredOS) || stringListsIntersect(toUpper(DesiredOS),IFOS_installed)) && "
               "(stringListsIntersect(toUpper(target.HAS_usage_model), toUpper(my.DESIRED_usage_model)))")
        if v["site"]:
            req += " && ((isUndefined(target.GLIDEIN_Site) == FALSE) && (stringListIMember(target.GLIDEIN_Site,my.DESIRED_Sites)))"
        if v.get("blocklist"):
            req += " && ((isUndefined(target.GLIDEIN_Site) == FALSE) && (!stringListIMember(target.GLIDEIN_Site,my.Blacklist_Sites)))"
    if v["append_condor_requirements"]:
        req += " && " + " && ".join(v["append_condor_requirements"])
    L += [f"requirements = {req}", ""]
    if not v["no_singularity"]:
        L.append(f'+SingularityImage="{v["singularity_image"]}"')
    L += ["", "+SpoolOnEvict = false", "", f"queue {v['N']}", ""]
    return "\n".join(L)


def render_wrapper(v):
    """The job wrapper (the parts of jobsub_lite's templates/simple/simple.sh that shape what the job
    sees and prints; no ifdh, cvmfs or tarball handling)."""
    args = " ".join(v["exe_arguments"])
    exe = v["exe_base"]
    lines = ["#!/bin/sh", "#", "# simple job wrapper (jobsub_lite emulator)", "# Automatically generated by:", f"#          {v['jobsub_command']}", "",
             "umask 002", ""]
    if not v["no_env_cleanup"]:
        lines += [f"for env_var in {v['clean_env_vars']}", "do", "   eval unset $env_var", "done", ""]
    if v["token"]:
        cred = f"{v['group']}_{v['role'].lower()}_{v['oauth_handle']}.use" if v["role"] and v["role"] != DEFAULT_ROLE else f"{v['group']}_{v['oauth_handle']}.use"
        lines += [f"export BEARER_TOKEN_FILE=$PWD/.condor_creds/{cred}", ""]
    lines += ["touch .empty_file", 'export JSB_TMP=$_CONDOR_SCRATCH_DIR/jsb_tmp', "mkdir -p $JSB_TMP",
              "export _CONDOR_SCRATCH_DIR=$_CONDOR_SCRATCH_DIR/no_xfer", "export TMP=$_CONDOR_SCRATCH_DIR", "export TEMP=$_CONDOR_SCRATCH_DIR",
              "export TMPDIR=$_CONDOR_SCRATCH_DIR", "mkdir -p $_CONDOR_SCRATCH_DIR",
              "export CONDOR_DIR_INPUT=${_CONDOR_SCRATCH_DIR}/${PROCESS}/TRANSFERRED_INPUT_FILES", "mkdir -p $CONDOR_DIR_INPUT",
              'export PATH="${PATH}:."', ""]
    for tag, _ in v["d"]:
        lines += [f"export CONDOR_DIR_{tag}=`pwd`/out_{tag}", f"mkdir $CONDOR_DIR_{tag}"]
    lines += [f"export JOBSUB_EXE_SCRIPT=$(ls {exe} 2>/dev/null)", 'if [ "$JOBSUB_EXE_SCRIPT" = "" ]; then',
              f"     export JOBSUB_EXE_SCRIPT=$(find . -name {exe} -print | head -1)", "fi", "chmod +x $JOBSUB_EXE_SCRIPT", "",
              f"echo `date` $JOBSUBJOBID BEGIN EXECUTION $JOBSUB_EXE_SCRIPT {args} >&2",
              f"echo `date` $JOBSUBJOBID BEGIN EXECUTION $JOBSUB_EXE_SCRIPT {args}", ""]
    timeout = f" timeout {int(v['timeout'])} " if v.get("timeout") else " "
    log = " > _joblogfile 2>&1 " if v.get("log_file") else ""
    lines += [f"{timeout}$JOBSUB_EXE_SCRIPT {args}{log}", "JOB_RET_STATUS=$?", "",
              "echo `date` $JOBSUB_EXE_SCRIPT COMPLETED with exit status $JOB_RET_STATUS",
              "echo `date` $JOBSUB_EXE_SCRIPT COMPLETED with exit status $JOB_RET_STATUS 1>&2", "", "exit $JOB_RET_STATUS", ""]
    return "\n".join(lines)


def max_jobs_per_submission():
    value = knob("max-jobs-per-submission", "JOBSUB_EMULATOR_MAX_JOBS_PER_SUBMISSION")
    if value is None or value == "":
        return None
    return int(value)


def condor_submit(v, cmdfile):
    """Run condor_submit for real; return (returncode, stdout, stderr)."""
    schedd = v["schedd"]
    env = dict(os.environ, _condor_CREDD_HOST=schedd, _condor_SEC_CREDENTIAL_STORER="/bin/true")
    limit = max_jobs_per_submission()
    if limit is not None and int(v["N"]) > limit:
        # The schedd refuses the (limit+1)-th proc and the whole transaction is aborted, so no job is
        # left behind; condor_submit reports it like this (HTCondor 23 src/condor_submit.V6/submit.cpp).
        return (1, "Submitting job(s)" + "." * limit,
                "\nERROR: Failed to create proc\nNumber of submitted jobs would exceed MAX_JOBS_PER_SUBMISSION\n")
    argv = [f"{CONDOR_BIN}/condor_submit", cmdfile]
    if VERBOSE > 0:
        print(f"Running: {' '.join(argv)}")
    if is_down(schedd):
        out = run(argv, env=down_env(env), cwd=v["submitdir"])
        # jobsub submits with -remote <schedd>, so condor names the schedd it could not reach
        return out.returncode, out.stdout, out.stderr.replace("Failed to connect to local queue manager", f"Failed to connect to queue manager {schedd}")
    out = run(argv, env=env, cwd=v["submitdir"])
    return out.returncode, out.stdout, out.stderr


def jobsub_submit_main(argv):
    global VERBOSE  # pylint: disable=global-statement
    parser = submit_parser(argparse.ArgumentParser())
    argv = list(argv)
    backslash_escape_layer(argv)
    args = parser.parse_args(argv[1:])
    VERBOSE = args.verbose
    if VERBOSE:
        print("in jobsub_submit_main: args = ", args)

    args.environment = (args.environment or []) + get_env_list("JOBSUB_EXTRA_ENVIRONMENT")
    args.lines = (args.lines or []) + get_env_list("JOBSUB_EXTRA_LINES")
    args.job_info = (args.job_info or []) + get_env_list("JOBSUB_EXTRA_JOB_INFO")
    sanitize_lines(args.lines)

    if args.support_email:
        print("jobsub_lite support email: jobsub-support@fnal.gov")
        return
    if os.path.basename(sys.argv[0]) == "jobsub_submit_dag":
        args.dag = True
    if os.environ.get("GROUP", None) is None:
        raise NameError(f"{sys.argv[0]} needs -G group or $GROUP in the environment.")
    if args.maxConcurrent and int(args.maxConcurrent) >= args.N and not args.dag:
        if VERBOSE:
            sys.stderr.write(f"Note: ignoring --maxConcurrent {args.maxConcurrent} for {args.N} jobs\n")
        args.maxConcurrent = 0
    if args.dag or args.dataset_definition or args.maxConcurrent:
        raise NotImplementedError("the jobsub_lite emulator does not emulate DAG submissions (--dag, --dataset-definition, --maxConcurrent)")

    v = vars(args)
    v["group"] = os.environ["GROUP"]
    token = get_creds(v)
    v["token"] = token

    # choose the schedd: the one asked for, else one of the schedds that are up
    if v.get("schedd_for_testing"):
        schedd = v["schedd_for_testing"]
        print(f"Using requested schedd {schedd}")
    else:
        up = [s for s in schedd_names() if not is_down(s)]
        if not up:
            raise RuntimeError("Error: No schedds satisfying the constraint were found")
        schedd = random.choice(up)
        if VERBOSE > 0:
            print(f"Chose schedd {schedd}")
    v["schedd"] = schedd

    if token:
        with open(token, encoding="utf-8") as f:
            claims = decode_token(f.read())
        v["job_scope"] = " ".join(job_scopes(claims, v["need_storage_modify"], v["need_scope"]))
        v["oauth_handle"] = hashlib.sha256(v["job_scope"].encode()).hexdigest()[:10]

    # set_extras_n_fix_units
    outbase = os.environ.get("XDG_CACHE_HOME", f"{os.environ.get('HOME')}/.cache") + "/jobsub_lite"
    now = datetime.datetime.now()
    v["uuid"] = str(uuid.uuid4())
    v["date"] = now.strftime("%Y_%m_%d")
    v["datetime"] = now.strftime("%Y_%m_%d_%H%M%S")
    v["outdir"] = v["submitdir"] = f"{outbase}/js_{v['datetime']}_{v['uuid']}"
    os.makedirs(v["outdir"], exist_ok=True)
    # jobsub_lite deletes its submit directory after submitting, and any js_* left over for a week.
    # The emulator keeps each submit directory (the jobs' iwd, where their .out/.err/.log land, which
    # jobsub_fetchlog serves) for that week.
    for entry in os.scandir(outbase):
        if entry.name.startswith("js_") and entry.is_dir() and time.time() - entry.stat().st_mtime > 604800:
            shutil.rmtree(entry.path, ignore_errors=True)
    v["user"] = os.environ["USER"]
    try:
        v["ipaddr"] = socket.getaddrinfo(socket.gethostname(), 80)[-1][-1][0]
    except OSError:
        v["ipaddr"] = "unknown"
    v["jobsub_version"] = f"jobsub_lite-v{VERSION}"
    v["kerberos_principal"] = ""
    if "JOBSUB_OUTPUT_URL" in os.environ:
        v["outurl"] = "/".join((os.environ["JOBSUB_OUTPUT_URL"], v["date"], v["uuid"]))
    else:
        v["outurl"] = ""
        sys.stderr.write("warning: JOBSUB_OUTPUT_URL not defined, web logs will not be available for this submission\n")

    if not v["executable"] and v["exe_arguments"]:
        v["executable"] = v["exe_arguments"][-1]
        v["exe_arguments"] = v["exe_arguments"][:-1]
    if not v["executable"]:
        raise NotImplementedError("the jobsub_lite emulator needs an executable (file://...)")
    full = v["executable"].replace("file://", "")
    if full[0] != "/":
        full = os.path.join(os.getcwd(), full)
    v["exe_base"] = os.path.basename(v["executable"])

    provides = [f'{p.split("=", 1)[0]}="{p.split("=", 1)[1]}"' if "=" in p else p for p in v["resource_provides"]]
    v["site"], v["usage_model"], v["resource_provides_quoted"] = resolve_site_and_usage_model(v.get("site", ""), v.get("usage_model", ""), provides)
    if v["site"] and v["blocklist"]:
        common = set(v["site"].split(",")) & set(v["blocklist"].split(","))
        if common:
            raise SiteAndBlocklistConflictError(list(common))

    dest = os.path.join(v["submitdir"], v["exe_base"])
    shutil.copyfile(full, dest, follow_symlinks=True)

    v["lines"] = [line for line in v["lines"] if line not in ('""', "''")]
    if not v["no_singularity"]:
        kept = []
        from_lines = None
        for line in v["lines"]:
            m = re.match(".+SingularityImage=(.+)", line)
            if m:
                from_lines = m.group(1).strip('"\\')
                print(f"Warning: SingularityImage {from_lines} specified in --lines.  A non-default --singularity-image value takes precedence, "
                      "but a non-default SingularityImage may be specified here for backward-compatibility. "
                      "--lines SingularityImage ONLY takes precedence over --singularity-image if "
                      "--singularity-image value is not the default and --no-singularity is not given on the command line.")
            else:
                kept.append(line)
        v["lines"] = kept
        if v["singularity_image"] == DEFAULT_SINGULARITY_IMAGE and from_lines:
            v["singularity_image"] = from_lines
    else:
        v["lines"] = [line for line in v["lines"] if "SingularityImage=" not in line]

    aliases = {"short": "3h", "medium": "8h", "long": "85200s"}
    for k in ("expected_lifetime", "timeout"):
        if v[k] in aliases:
            v[k] = aliases[v[k]]
    fix_unit(v, "disk", {"k": 1.0, "m": 1024.0, "g": 1024 * 1024.0, "t": 1024 * 1024 * 1024.0}, -1, "b", -2)
    fix_unit(v, "memory", {"k": 1.0 / 1024, "m": 1.0, "g": 1024.0, "t": 1024 * 1024.0}, -1, "b", -2)
    timtable = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
    fix_unit(v, "expected_lifetime", timtable, -1, "smhd", -1)
    fix_unit(v, "timeout", timtable, -1, "smhd", -1)

    newe = []
    envnames = set()
    for e in v["environment"]:
        pos = e.find("=")
        if pos < 0:
            envnames.add(e)
            val = os.environ.get(e, None)
            if not val:
                raise RuntimeError(f"--environment {e} was given but no value was in the environment")
            e = f"{e}={val}"
        else:
            envnames.add(e[:pos])
        newe.append(e)
    v["environment"] = newe
    clean = {"LC_CTYPE", "CPATH", "LIBRARY_PATH"}
    v["clean_env_vars"] = " ".join(sorted(clean - envnames))
    v["jobsub_command"] = " ".join(sys.argv)

    # the files condor needs: submit description, wrapper, executable copy, token for the job
    cmdfile = os.path.join(v["submitdir"], "simple.cmd")
    with open(cmdfile, "w", encoding="utf-8") as f:
        f.write(render_submit(v))
    with open(os.path.join(v["submitdir"], "simple.sh"), "w", encoding="utf-8") as f:
        f.write(render_wrapper(v))
    os.chmod(os.path.join(v["submitdir"], "simple.sh"), 0o755)
    if token:
        creds = os.path.join(v["submitdir"], ".condor_creds")
        os.makedirs(creds, mode=0o700, exist_ok=True)
        cred = f"{v['group']}_{v['role'].lower()}_{v['oauth_handle']}.use" if v["role"] != DEFAULT_ROLE else f"{v['group']}_{v['oauth_handle']}.use"
        shutil.copyfile(token, os.path.join(creds, cred))
        os.chmod(os.path.join(creds, cred), 0o600)

    if v["no_submit"]:
        print(f"Submission files are in: {v['submitdir']}")
        return

    rc, out, err = condor_submit(v, cmdfile)
    sys.stdout.write(out)
    sys.stderr.write(err)
    if rc < 0:
        sys.stderr.write(f"{HIGHLIGHT}Error: Child was terminated by signal {-rc}{HIGHLIGHT}\n")
        return
    if rc > 0:
        msgs = []
        if re.search("Number of submitted jobs would exceed MAX_JOBS_PER_SUBMISSION", err):
            limit = max_jobs_per_submission()
            if limit is None:
                msgs.append("There was an error obtaining the MAX_JOBS_PER_SUBMISSION from the schedd. "
                            "Please try breaking up your submission into clusters with fewer jobs.")
            else:
                msgs.append("MAX_JOBS_PER_SUBMISSION limits the number of jobs allowed in a submission. "
                            f"The limit is {limit}.\nPlease break up your submission into clusters with at most {limit} jobs each.")
        specific = "\n".join(msgs)
        sys.stderr.write(f"{HIGHLIGHT}Error: condor_submit exited with failed status code {rc}\n\n{specific}{HIGHLIGHT}\n")
        return
    m = re.search(r"\d+ job\(s\) submitted to cluster (\d+).", out)
    if m:
        print(f"{HIGHLIGHT}Use job id {m.group(1)}.0@{schedd} to retrieve output{HIGHLIGHT}")
        for ji in v["job_info"]:
            os.system(f'{ji} {m.group(1)}.0@{schedd} "{repr(sys.argv)}" </dev/null')


# --------------------------------------------------------------------------------------------------
# jobsub_q / jobsub_rm / jobsub_hold / jobsub_release (jobsub_lite lib/mains/cmd.py)

DEFAULT_FORMAT_FLAGS = ["-autoformat", "-batch", "-better-analyze", "-dag", "-format", "-hold", "-io", "-json", "-long", "-nobatch", "-xml"]
OWN_CONSTRAINT_FLAGS = ["-allusers", "-autocluster", "-better-analyze", "-constraint", "-factory", "-unmatchable"]
JOBSUB_Q_HEADER = "JOBSUBJOBID                             OWNER       \tSUBMITTED     RUNTIME   ST PRIO   SIZE  COMMAND"


def default_q_format(schedd):
    # GlobalJobId starts with the real schedd's name; the id shows the emulated schedd instead.
    return ["-format", "%-40s", f'strcat(split(GlobalJobId,"#")[1],"@","{schedd}")',
            "-format", "%-10s\t", """(DAGNodeName=!=''?strcat(" |-",DAGNodeName):Owner)""",
            "-format", "%-11s ", 'formatTime(QDate,"%m/%d %H:%M")',
            "-format", "%T ", "IfThenElse(JobStatus == 2, (ServerTime - ShadowBday) + RemoteWallClockTime, RemoteWallClockTime)",
            "-format", " %s ", 'substr("UIRXCHE",JobStatus,1)',
            "-format", " %3d ", "JobPrio",
            "-format", "%6.1f ", "ImageSize/1024.0",
            "-format", "%s", "JobsubCmd=!=''?JobsubCmd:Cmd",
            "-format", " %-.20s", "Args",
            "-format", " %-.20s", "Arguments",
            "-format", "\n", "Owner"]


def totals(lines):
    line_regex = re.compile(r"\d+\.\d+@\S+(\s+\S+){4}\s+([CXIRHS])")
    counts = {k: 0 for k in "TCXIRHS"}
    for line in lines:
        m = line_regex.match(line)
        if m:
            counts[m.group(2)] += 1
            counts["T"] += 1
    labels = [("T", "total; "), ("C", "completed, "), ("X", "removed, "), ("I", "idle, "), ("R", "running, "), ("H", "held, "), ("S", "suspended")]
    return "".join(f"{counts[k]} {label}" for k, label in labels)


ACTIONS = {"condor_rm": ("removal", "marked for removal", "remove"),
           "condor_hold": ("hold", "held", "hold"),
           "condor_release": ("release", "released", "release")}


def jobs_in_queue(constraint):
    """(cluster, proc, JobsubJobId) of the real queue's jobs matching a constraint."""
    out = run([f"{CONDOR_BIN}/condor_q", "-allusers", "-constraint", constraint, "-af", "ClusterId", "ProcId", "JobsubJobId"])
    rows = []
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            rows.append((int(parts[0]), int(parts[1]), parts[2]))
    return rows


def owner_of(jid):
    """The emulated schedd a job belongs to, from its JobsubJobId (undefined: the first one)."""
    if jid == "undefined" or "@" not in jid:
        return schedd_names()[0]
    return jid.split("@", 1)[1]


def act_on_real_schedd(cmd, schedd, execargs, ids):
    """condor_rm/hold/release on the emulated schedd `schedd`: constraints and user names are
    narrowed to its jobs (and condor's messages shown with the caller's own text), ids of jobs that
    live on another emulated schedd are not found here."""
    argv = [f"{CONDOR_BIN}/{cmd}"]
    rewrites = []
    i = 0
    while i < len(execargs):
        a = execargs[i]
        if a in ("-reason", "-subcode", "-pool", "-name", "-addr") and i + 1 < len(execargs):
            argv += [a, execargs[i + 1]]
            i += 2
            continue
        if a == "-all":
            narrowed = f"(true) && {partition(schedd)}"
            argv += ["-constraint", narrowed]
            rewrites.append((f" matching constraint ({narrowed})", ""))
            i += 1
            continue
        if a in ("-constraint", "-const") and i + 1 < len(execargs):
            narrowed = f"({execargs[i + 1]}) && {partition(schedd)}"
            argv += [a, narrowed]
            rewrites.append((f"({narrowed})", f"({execargs[i + 1]})"))
            i += 2
            continue
        if a[:1].isalpha():
            # a user name: condor acts on all of that user's jobs
            narrowed = f'(Owner == "{a}") && {partition(schedd)}'
            argv += ["-constraint", narrowed]
            rewrites.append((f"matching constraint ({narrowed})", f'of user "{a}"'))
            i += 1
            continue
        argv.append(a)
        i += 1
    foreign = []
    for jid in ids:
        m = re.match(r"^(\d+)(?:\.(\d+))?$", jid)
        if m:
            constraint = f"ClusterId == {m.group(1)}" + (f" && ProcId == {m.group(2)}" if m.group(2) else "")
            owners = {owner_of(j) for _, _, j in jobs_in_queue(constraint)}
            if owners and schedd not in owners:
                foreign.append((m.group(1), m.group(2)))
                continue
        argv.append(jid)
    out_lines, err_lines = [], []
    if len(argv) > 1 or not foreign:
        res = run(argv)
        out, err = res.stdout, res.stderr
        for old, new in rewrites:
            out, err = out.replace(old, new), err.replace(old, new)
        out_lines.append(out)
        err_lines.append(err)
    what = ACTIONS[cmd][2]
    for cluster, proc in foreign:
        # what the schedd that does not have the job answers
        if proc is None:
            err_lines.append(f"\nCouldn't find/{what} all jobs in cluster {cluster}\n")
        else:
            err_lines.append(f"\nJob {cluster}.{proc} not found\n")
    return "".join(out_lines), "".join(err_lines)


def run_on_schedd(cmd, schedd, execargs, ids):
    """One schedd's part of a jobsub_q/rm/hold/release: (stdout, stderr)."""
    if is_down(schedd):
        res = run([f"{CONDOR_BIN}/{cmd}"] + execargs + ids, env=down_env())
        return res.stdout, res.stderr.replace(f"{DEAD_ADDRESS} : {real_schedd_name()}", f"{DEAD_ADDRESS} : {schedd}")
    if cmd == "condor_q":
        res = run([f"{CONDOR_BIN}/{cmd}"] + execargs + ids + ["-constraint", partition(schedd)])
        return present_as(res.stdout, schedd), present_as(res.stderr, schedd)
    return act_on_real_schedd(cmd, schedd, execargs, ids)


def jobsub_cmd_main(argv):
    global VERBOSE  # pylint: disable=global-statement
    command = os.path.basename(argv[0])
    is_q = command.find("jobsub_q") >= 0
    parser = jobid_parser(argparse.ArgumentParser())
    parser.add_argument("-name", help="Set schedd name", default=None)
    parser.add_argument("--jobsub_server", help="backwards compatability; ignored", default=None)
    if is_q:
        parser.add_argument("--user", help="username to query", default=None)
    arglist, passthru = parser.parse_known_args(argv[1:])
    VERBOSE = arglist.verbose

    if arglist.support_email:
        print("jobsub_lite support email: jobsub-support@fnal.gov")
        return
    if VERBOSE:
        passthru.append("-debug")
    if arglist.jobid:
        passthru.extend(arglist.jobid.split(","))
    if getattr(arglist, "user", None):
        passthru.append(arglist.user)
    if arglist.constraint:
        passthru.extend(["-constraint", arglist.constraint])
    if os.environ.get("GROUP", None) is None:
        raise NameError(f"{sys.argv[0]} needs -G group or $GROUP in the environment.")

    execargs = []
    schedds = []
    args_for_schedd = {}
    if arglist.name:
        schedds.append(arglist.name)
    default_formatting = True
    default_constraint = True
    for i in passthru:
        m = re.match(r"([\d.]*)@([\w.]+)", i)
        if m:
            jobid, schedd = m.groups()
            if schedd not in schedds:
                schedds.append(schedd)
            if jobid:
                args_for_schedd.setdefault(schedd, []).append(jobid.strip("."))
            continue
        if i.startswith("--"):
            i = i[1:]
        if i in DEFAULT_FORMAT_FLAGS:
            default_formatting = False
        if i in OWN_CONSTRAINT_FLAGS or i[:1].isalnum():
            default_constraint = False
        execargs.append(i)

    get_creds(vars(arglist))
    condor_cmd = "condor_" + command.replace("jobsub_", "", 1)
    if not schedds:
        schedds = [s for s in schedd_names()]
    known = schedd_names()
    if VERBOSE:
        print("schedd list:", set(schedds))

    totalsf = None
    default_q = is_q and default_formatting
    if is_q:
        if default_constraint:
            execargs += ["-allusers", "-constraint", f'''Jobsub_Group=?="{os.environ['GROUP']}"''']
        if default_formatting:
            print(JOBSUB_Q_HEADER)
            sys.stdout.flush()
            # As jobsub_lite does: file descriptor 1 becomes a pipe into `sort -k 3,4 | jobsub_totals`
            # until all schedds have answered. Like jobsub_lite's, our stdout buffer is not flushed
            # before that pipe is closed, so when stdout is not a terminal the last schedd's lines
            # come out after the totals line, unsorted and not counted.
            totals_path = os.path.join(PREFIX, "bin", "jobsub_totals")
            totalsf = os.popen(f"sort -k 3,4 | {totals_path}", "w")
            savout = os.dup(1)
            os.close(1)
            os.dup2(totalsf.fileno(), 1)

    for schedd in schedds:
        sys.stderr.flush()
        sys.stdout.flush()
        if schedd not in known:
            # what condor says about a schedd name the collector does not know
            res = run([f"{CONDOR_BIN}/{condor_cmd}", "-name", schedd] + execargs + args_for_schedd.get(schedd, []))
            out, err = res.stdout, res.stderr
        else:
            these = list(execargs)
            if default_q:
                these += default_q_format(schedd)
            out, err = run_on_schedd(condor_cmd, schedd, these, args_for_schedd.get(schedd, []))
        sys.stdout.write(out)
        sys.stderr.write(err)

    if totalsf:
        os.close(1)
        totalsf.close()
        os.dup2(savout, 1)


def jobsub_totals_main():
    """bin/jobsub_totals: repeat stdin, then a totals line."""
    lines = sys.stdin.readlines()
    for line in lines:
        print(line, end="")
    print(totals(lines))


# --------------------------------------------------------------------------------------------------
# jobsub_history (jobsub_lite bin/jobsub_history)


def jobsub_history_main(argv):
    global VERBOSE  # pylint: disable=global-statement
    parser = jobid_parser(argparse.ArgumentParser())
    parser.add_argument("--user", help="Set username to look at", default="")
    parser.add_argument("--qdate-ge", help="job submission date (qdate) greater than or equal to YYYY-MM-DD", default="")
    parser.add_argument("--qdate-le", help="job submission date (qdate) less than or equal to YYYY-MM-DD", default="")
    arglist, passthru = parser.parse_known_args(argv[1:])
    VERBOSE = arglist.verbose
    passthru.append("-backwards")
    if arglist.verbose:
        passthru.append("-debug")
    if arglist.jobid:
        passthru.append(arglist.jobid)
    if arglist.user:
        passthru.append(arglist.user)
    if arglist.qdate_ge:
        passthru += ["-constraint", f"QDate > {int(time.mktime(time.strptime(arglist.qdate_ge, '%Y-%m-%d')))}"]
    if arglist.qdate_le:
        passthru += ["-constraint", f"QDate < {int(time.mktime(time.strptime(arglist.qdate_le, '%Y-%m-%d')))}"]
    if os.environ.get("GROUP", None) is None:
        raise SystemExit(f"{sys.argv[0]} needs -G group or $GROUP in the environment.")
    default_formatting = True
    out = []
    for i in passthru:
        m = re.match(r"([\d.]*)@([\w.]+)", i)
        if m:
            i = m.group(1)
            if not i:
                continue
        if i.startswith("--"):
            i = i[1:]
        if i in ["-autoformat", "-batch", "-better-analyze", "-dag", "-format", "-io", "-json", "-long", "-nobatch", "-xml"]:
            default_formatting = False
        out.append(i)
    if default_formatting:
        # the schedd part of the id comes from JobsubJobId (GlobalJobId names the one real schedd)
        out += ["-format", "%-30s", 'strcat(split(GlobalJobId,"#")[1],"@",JobsubJobId=!=undefined?split(JobsubJobId,"@")[1]:split(GlobalJobId,"#")[0])',
                "-format", "%-10s\t", "Owner",
                "-format", "%-11s ", 'formatTime(QDate,"%m/%d %H:%M")',
                "-format", "%-11s ", 'formatTime(CompletionDate,"%m/%d %H:%M")',
                "-format", " %s ", 'substr("UIRXCHE",JobStatus,1)',
                "-format", "%s", "JobsubCmd",
                "-format", " %-.20s", "Args",
                "-format", "\n", "Owner"]
        print("JOBSUBJOBID                             OWNER                SUBMITTED           FINISHED            ST       CMD")
    # like jobsub's os.system(): condor_history writes straight to our stdout, ahead of the
    # still-buffered header when stdout is not a terminal
    subprocess.run([f"{CONDOR_BIN}/condor_history"] + out, check=False)


# --------------------------------------------------------------------------------------------------
# jobsub_fetchlog (jobsub_lite lib/mains/fetchlog.py; the Landscape archive service is emulated from
# the files the jobs left in their submit directories)


class HTTPError(Exception):
    """requests.exceptions.HTTPError"""


def find_job_files(cluster, proc, schedd, partial):
    """The files of a job (or of its cluster), from the queue or the history: (group, files)."""
    constraint = f"ClusterId == {cluster}" + (f" && ProcId == {proc}" if partial else "") + f" && {partition(schedd)}"
    attrs = ["ProcId", "Iwd", "Jobsub_Group", "Out", "Err", "UserLog"]
    found = {}
    for tool in (["condor_q", "-allusers"], ["condor_history"]):
        res = run([f"{CONDOR_BIN}/{tool[0]}"] + tool[1:] + ["-constraint", constraint, "-af:t"] + attrs)
        for line in res.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) == len(attrs) and parts[0] not in found:
                found[parts[0]] = parts
    if not found:
        return None, []
    group = next(iter(found.values()))[2]
    files = []
    iwd = None
    for parts in found.values():
        iwd = parts[1]
        for name in parts[3:]:
            if name and name != "undefined":
                path = name if name.startswith("/") else os.path.join(iwd, name)
                if os.path.isfile(path) and path not in files:
                    files.append(path)
    for script in ("simple.cmd", "simple.sh"):
        path = os.path.join(iwd, script)
        if iwd and os.path.isfile(path):
            files.append(path)
    return group, files


def fetch(jobid, destdir, archive_format, partial, use_condor):
    m = re.match(r"(\d+)(?:\.(\d+))?@([\w\.]+)", jobid)
    if use_condor:
        if m is None:
            raise Exception(f'unable to parse job id "{jobid}"')  # condor.JobIdError
        cluster, proc, schedd = m.group(1), m.group(2), m.group(3)
        in_queue = jobs_in_queue(f"ClusterId == {cluster}" + (f" && ProcId == {proc}" if proc else "") + f" && {partition(schedd)}")
        if not in_queue:
            q = f"ClusterId=={cluster}" + (f" && ProcId=={proc}" if proc else "")
            raise NameError(f'job matching "{q}" not found on "{schedd}"')
        _, files = find_job_files(cluster, proc or "0", schedd, partial)
        name = f"{cluster}@{schedd}" if proc is None else f"{cluster}.{proc}@{schedd}"
    else:
        if archive_format != "tar":
            raise NameError(f'unknown/unsupported archive format "{archive_format}"')
        if "JOBSUB_FETCHLOG_URL" not in os.environ:
            raise NameError("JOBSUB_FETCHLOG_URL not set in the environment. You may still be able to download with --condor")
        url = f"{os.environ['JOBSUB_FETCHLOG_URL']}/job/{jobid}.tar.gz" + ("?partial" if partial else "")
        with open(os.environ["BEARER_TOKEN_FILE"], encoding="utf-8") as f:
            tok = f.readline().strip()
        group, files = (None, [])
        if m is not None:
            group, files = find_job_files(m.group(1), m.group(2) or "0", m.group(3), partial)
        try:
            claims = decode_token(tok)
            token_group, _ = group_and_role(wlcg_groups(claims))
        except Exception:  # pylint: disable=broad-except
            token_group = None
        if token_group is None:
            print("Got permission denied from landscape: ")
            pprint.pprint({"error": "invalid or expired token"})
            print("Token contents:")
            os.system("httokendecode")
            raise HTTPError(f"401 Client Error: Unauthorized for url: {url}")
        if group is None:
            print(f"Got error from landscape:\n{json.dumps({'error': f'job {jobid} not found'})}")
            raise HTTPError(f"404 Client Error: Not Found for url: {url}")
        if group.lower() != token_group.lower():
            print("Got permission denied from landscape: ")
            pprint.pprint({"error": f"token for group {token_group} may not read logs of group {group}"})
            print("Token contents:")
            os.system("httokendecode")
            raise HTTPError(f"401 Client Error: Unauthorized for url: {url}")
        name = jobid
    owd = destdir if destdir is not None else os.getcwd()
    if destdir is not None:
        os.makedirs(owd, mode=0o750, exist_ok=True)
    if use_condor and destdir is not None:
        for path in files:
            shutil.copy2(path, owd)
        return
    archive = os.path.join(os.getcwd() if use_condor else owd, f"{name}.{'zip' if archive_format == 'zip' else 'tgz'}")
    if archive_format == "zip":
        import zipfile  # pylint: disable=import-outside-toplevel
        with zipfile.ZipFile(archive, "w") as z:
            for path in files:
                z.write(path, os.path.basename(path))
    else:
        with tarfile.open(archive, "w:gz") as t:
            for path in files:
                t.add(path, arcname=os.path.basename(path))
    if destdir is not None and not use_condor:
        with tarfile.open(archive, "r:gz") as t:
            t.extractall(owd, filter="data")
        os.unlink(archive)


def jobsub_fetchlog_main(argv):
    global VERBOSE  # pylint: disable=global-statement
    parser = jobid_parser(argparse.ArgumentParser())
    parser.add_argument("--destdir", "--dest-dir", "--unzipdir", help="Directory to automatically unarchive logs into")
    parser.add_argument("--archive-format", default="tar", help='"tar" (default, gzip) or "zip"')
    parser.add_argument("--partial", action="store_true", default=False, help="only this job's stdout, stderr and scripts")
    parser.add_argument("--condor", action="store_true", default=False, help="transfer logs directly from condor")
    parser.add_argument("job_id", nargs="?", help="job/submission ID")
    args = parser.parse_args(argv[1:])
    VERBOSE = args.verbose
    if args.support_email:
        print("jobsub_lite support email: jobsub-support@fnal.gov")
        return
    if "token" not in getattr(args, "auth_methods", ["token"]):
        raise NameError("jobsub_fetchlog only supports token authentication.  Please either omit the --auth-methods flag or make sure tokens is included in the value of that flag")
    if not args.jobid:
        if args.job_id is None:
            raise NameError("jobid is required.")
        args.jobid = args.job_id
    args.jobid = args.jobid.replace(".@", "@")
    if os.environ.get("GROUP", None) is None:
        raise NameError(f"{sys.argv[0]} needs -G group or $GROUP in the environment.")
    get_creds(vars(args))
    fetch(args.jobid, args.destdir, args.archive_format, args.partial, args.condor)


# --------------------------------------------------------------------------------------------------
# htgettoken and httokendecode (fakes)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_token(issuer, role, lifetime, user):
    now = int(time.time())
    groups = [f"/{issuer}"] if role in ("default", "") else [f"/{issuer}/{role}", f"/{issuer}"]
    header = {"typ": "JWT", "alg": "RS256", "kid": "jobsub-emulator"}
    payload = {
        "wlcg.ver": "1.0",
        "aud": "https://wlcg.cern.ch/jwt/v1/any",
        "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{user}@fnal.gov")),
        "nbf": now,
        "scope": f"compute.create compute.read compute.cancel compute.modify storage.create:/{issuer}/scratch/users/{user} storage.read:/{issuer}",
        "iss": f"https://cilogon.org/{issuer}",
        "exp": now + lifetime,
        "iat": now,
        "wlcg.groups": groups,
        "jti": f"https://cilogon.org/oauth2/{uuid.uuid4().hex}",
    }
    enc = lambda d: b64url(json.dumps(d, separators=(",", ":")).encode())  # noqa: E731
    return f"{enc(header)}.{enc(payload)}.{b64url(os.urandom(256))}"


def write_safely(path, text):
    try:
        os.remove(path)
    except OSError:
        pass
    directory = os.path.dirname(path) or "."
    tmp = os.path.join(directory, f".htgettoken{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    os.rename(tmp, path)


def htgettoken_main(argv):
    """A fake htgettoken: same options and progress/failure texts, no vault. It succeeds (as if
    Kerberos or a stored vault token worked) unless the htgettoken-fails knob is on; then it fails
    the way a non-interactive session without credentials does."""
    import optparse  # pylint: disable=import-outside-toplevel,deprecated-module
    import shlex  # pylint: disable=import-outside-toplevel
    prog = "htgettoken"
    parser = optparse.OptionParser(usage="usage: %prog [-h] [otheroptions]", version="htgettoken version 2.4 (POMS Desktop emulator)", prog=prog)
    add = parser.add_option
    add("-v", "--verbose", action="store_true", default=False, help="show detailed progress")
    add("-d", "--debug", action="store_true", default=False, help="show debug output (implies -v)")
    add("-q", "--quiet", action="store_true", default=False, help="do not print progress or error messages")
    add("-s", "--optserver", metavar="HostOrURL", help="server or URL with default htgettoken options")
    add("-a", "--vaultserver", metavar="HostOrURL", help="vault server or URL (required)")
    add("--vaultalias", metavar="HostOrURL", help="vault alias service name or URL [default same as vaultserver]")
    add("--vaultcertname", metavar="Host", help="host certificate name to expect for vault server")
    add("-i", "--issuer", metavar="issuername", default="default", help="vault name of oidc token issuer")
    add("-r", "--role", metavar="rolename", default="default", help="vault name of role for oidc")
    add("--nokerberos", action="store_true", default=False, help="skip attempting to use kerberos authentication")
    add("--kerbpath", metavar="vaultpath", default="auth/kerberos-%issuer_%role", help="path in vault for kerberos authentication")
    add("--kerbprincipal", metavar="principal", help="alternate kerberos principal")
    add("--nooidc", action="store_true", default=False, help="skip attempting to use oidc authentication")
    add("--oidcpath", metavar="vaultpath", default="auth/oidc-%issuer/oidc", help="path in vault for oidc authentication")
    add("--nossh", action="store_true", default=False, help="skip attempting to use ssh-agent authentication")
    add("--sshpath", metavar="vaultpath", default="auth/ssh", help="path in vault for ssh-agent authentication")
    add("--registerssh", action="store_true", default=False, help="register ssh-agent keys")
    add("-c", "--configdir", metavar="path", default="~/.config/htgettoken", help="directory to save configuration")
    add("--credkey", metavar="key", help="key to use in vault secretpath")
    add("--secretpath", metavar="vaultpath", default="secret/oauth/creds/%issuer/%credkey:%role", help="path in vault for the bearer token secret")
    add("--vaulttokenttl", metavar="time", default="7d", help="time for new vault token to live")
    add("--vaulttokenminttl", metavar="time", default="0s", help="minimum time left in existing vault token")
    add("--vaulttokenfile", metavar="path", help="path to save vault token")
    add("--vaulttokeninfile", metavar="path", default="%vaulttokenfile", help="path to read vault token from")
    add("--showbearerurl", action="store_true", default=False, help="print the bearer URL to stdout")
    add("--nobearertoken", action="store_true", default=False, help="skip getting a bearer token")
    add("-o", "--outfile", metavar="path", help="path to save bearer token [default: $BEARER_TOKEN_FILE or $XDG_RUNTIME_DIR/bt_u%uid]")
    add("--minsecs", type="int", metavar="seconds", default=60, help="minimum number of seconds left in bearer token")
    add("--scopes", metavar="scopes", help="reduced list of scopes for token")
    add("--audience", metavar="audience", help="more restricted list of audiences for token")
    add("--web-open-command", metavar="command", help="command to open a URL in a web browser")
    envargs = shlex.split(os.environ.get("HTGETTOKENOPTS", ""), True)
    (options, rest) = parser.parse_args(envargs + argv[1:])

    def usage(msg):
        print(f"{prog}: {msg}\n", file=sys.stderr)
        parser.print_help(sys.stderr)
        sys.exit(2)

    if rest:
        usage("no non-option arguments expected")
    if options.vaultserver is None:
        usage("Missing required parameters: ['--vaultserver']")
    showprogress = not options.quiet and not options.verbose
    log = sys.stdout
    vaultserver = options.vaultserver if "://" in options.vaultserver else "https://" + options.vaultserver
    if ":" not in vaultserver.split("/")[2]:
        vaultserver += ":8200"

    def say(text, end="\n"):
        if showprogress or options.verbose:
            print(text, end=end, file=log, flush=True)

    def fatal(msg):
        if not options.quiet:
            if showprogress:
                print(file=log, flush=True)
            print(f"{prog}: {msg}", file=sys.stderr, flush=True)
        sys.exit(1)

    outfile = options.outfile or os.environ.get("BEARER_TOKEN_FILE") or ((os.environ.get("XDG_RUNTIME_DIR") or "/tmp") + "/bt_u%uid")
    outfile = outfile.replace("%uid", str(os.geteuid()))
    vaulttokenfile = (options.vaulttokenfile or "/tmp/vt_u%uid").replace("%uid", str(os.geteuid()))
    vaulttokeninfile = options.vaulttokeninfile.replace("%vaulttokenfile", vaulttokenfile).replace("%uid", str(os.geteuid()))
    vaulttokeninfile = os.path.expanduser(vaulttokeninfile)
    have_vault_token = os.path.isfile(vaulttokeninfile)

    if knob_on("htgettoken-fails", "HTGETTOKEN_EMULATOR_FAIL"):
        # a session with no valid vault token, no Kerberos ticket, no ssh-agent keys and no
        # terminal for OIDC (htgettoken turns OIDC off when it runs in the background)
        if have_vault_token:
            say(f"Attempting to get token from {vaultserver} ...", end="")
            say(" failed")
        if not options.nokerberos:
            say(f"Attempting kerberos auth with {vaultserver} ...", end="")
            say(" failed")
        fatal(f"Failure getting token from {vaultserver}")

    lifetime = int(knob("htgettoken-lifetime", "HTGETTOKEN_EMULATOR_LIFETIME") or 10800)
    if not have_vault_token and not options.nokerberos:
        say(f"Attempting kerberos auth with {vaultserver} ...", end="")
        say(" succeeded")
    say(f"Attempting to get token from {vaultserver} ...", end="")
    say(" succeeded")
    if not have_vault_token:
        say(f"Storing vault token in {vaulttokenfile}")
        write_safely(vaulttokenfile, "hvs." + b64url(os.urandom(66)))
    say(f"Storing bearer token in {outfile}")
    write_safely(outfile, make_token(options.issuer, options.role, lifetime, os.environ.get("USER", "unknown")))


def httokendecode_main(argv):
    """Prints a token's payload as `jq .` does (htgettoken's htdecodetoken, -a for the header)."""
    args = [a for a in argv[1:] if not a.startswith("-") or a == "-"]
    showalg = "-a" in argv[1:]
    if args:
        data = sys.stdin.read() if args[0] == "-" else open(args[0], encoding="utf-8").read()  # pylint: disable=consider-using-with
    elif os.environ.get("BEARER_TOKEN"):
        data = os.environ["BEARER_TOKEN"]
    else:
        path = os.environ.get("BEARER_TOKEN_FILE") or os.path.join(os.environ.get("XDG_RUNTIME_DIR") or "/tmp", f"bt_u{os.geteuid()}")
        if not os.path.isfile(path):
            print(f"{path}: No such file or directory", file=sys.stderr)
            sys.exit(1)
        with open(path, encoding="utf-8") as f:
            data = f.read()
    parts = data.strip().split(".")
    if showalg:
        print(json.dumps(json.loads(b64url_decode(parts[0])), indent=2))
    print(json.dumps(json.loads(b64url_decode(parts[1])), indent=2))
