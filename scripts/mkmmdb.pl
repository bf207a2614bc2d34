#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Build a MaxMind DB (.mmdb) file with Debian's libmaxmind-db-writer-perl.
#
#   mkmmdb.pl --kind asn|country|city --out FILE [--layout flat|maxmind] CSV
#       CSV in the @ip-location-db column order (no header):
#         asn:     first_ip,last_ip,asn,organisation
#         country: first_ip,last_ip,country_code
#         city:    first_ip,last_ip,country_code,state1,state2,city,postcode,
#                  latitude,longitude,timezone
#       --layout flat (default) writes the @ip-location-db keys
#       (country_code, latitude, longitude); maxmind writes GeoLite2's
#       (country.iso_code, location.latitude, ...). ASN records are the same
#       in both: autonomous_system_number, autonomous_system_organization.
#
#   mkmmdb.pl --json --out FILE [--type NAME] JSON
#       JSON as in MaxMind's test data: [ { "CIDR": { record } }, ... ].
#       Records may nest maps; value types are taken from the values
#       (integers uint32, other numbers double, strings, booleans).
#
# Used to build an ASN database from the @ip-location-db/asn CSV, and by the
# unit tests to make small flat-layout databases.
use strict;
use warnings;

use Getopt::Long qw(GetOptions);
use JSON::PP ();
use MaxMind::DB::Writer::Tree;

my %opt = (layout => 'flat');
GetOptions(\%opt, 'kind=s', 'layout=s', 'out=s', 'json', 'type=s', 'help')
    or usage(2);
usage(0) if $opt{help};
usage(2) unless $opt{out} && @ARGV == 1;
die "mkmmdb.pl: --layout must be flat or maxmind, not '$opt{layout}'\n"
    unless $opt{layout} =~ /^(flat|maxmind)$/;

my %types;
my $tree;

if ($opt{json}) {
	my $entries = read_json($ARGV[0]);
	learn_types($_) for map { values %$_ } @$entries;
	$tree = new_tree($opt{type} // 'fluxwall-test');
	for my $e (@$entries) {
		my ($net, $rec) = %$e;
		$tree->insert_network($net, $rec);
	}
} else {
	my $kind = $opt{kind} // '';
	die "mkmmdb.pl: --kind must be asn, country or city\n"
	    unless $kind =~ /^(asn|country|city)$/;
	%types = (
		autonomous_system_number       => 'uint32',
		autonomous_system_organization => 'utf8_string',
		country_code => 'utf8_string', latitude => 'double', longitude => 'double',
		country => 'map', location => 'map', iso_code => 'utf8_string',
		city => ($opt{layout} eq 'flat' ? 'utf8_string' : 'map'),
		names => 'map', en => 'utf8_string',
	);
	$tree = new_tree("ip-location-db-$kind");
	insert_csv($tree, $kind, $opt{layout}, $ARGV[0]);
}

open my $fh, '>:raw', $opt{out}
    or die "mkmmdb.pl: cannot write $opt{out}: $!\n";
$tree->write_tree($fh);
close $fh or die "mkmmdb.pl: writing $opt{out} failed: $!\n";
exit 0;

sub usage {
	print STDERR "usage: mkmmdb.pl --kind asn|country|city [--layout flat|maxmind] --out FILE CSV\n",
	    "       mkmmdb.pl --json [--type NAME] --out FILE JSON\n";
	exit $_[0];
}

sub new_tree {
	my ($type) = @_;
	return MaxMind::DB::Writer::Tree->new(
		ip_version            => 6,
		record_size           => 28,
		database_type         => $type,
		languages             => ['en'],
		description           => { en => "$type, built by fluxwall scripts/mkmmdb.pl" },
		alias_ipv6_to_ipv4    => 1,
		remove_reserved_networks => 0,
		map_key_type_callback => sub {
			my $t = $types{ $_[0] };
			die "mkmmdb.pl: no type known for key '$_[0]'\n" unless $t;
			return $t;
		},
	);
}

sub read_json {
	my ($path) = @_;
	open my $fh, '<:raw', $path or die "mkmmdb.pl: cannot read $path: $!\n";
	local $/;
	my $data = JSON::PP->new->decode(<$fh>);
	die "mkmmdb.pl: $path: expected a JSON array of { \"CIDR\": {record} }\n"
	    unless ref $data eq 'ARRAY';
	return $data;
}

# Derive each key's MMDB type from the first value seen under it.
sub learn_types {
	my ($rec) = @_;
	for my $k (keys %$rec) {
		my $v = $rec->{$k};
		my $t;
		if (ref $v eq 'HASH') {
			$t = 'map';
			learn_types($v);
		} elsif (JSON::PP::is_bool($v)) {
			$t = 'boolean';
		} elsif (ref $v) {
			die "mkmmdb.pl: key '$k': arrays are not supported\n";
		} elsif ($v =~ /^\d+$/ && $v <= 4294967295) {
			$t = 'uint32';
		} elsif ($v =~ /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/) {
			$t = 'double';
		} else {
			$t = 'utf8_string';
		}
		$types{$k} //= $t;
	}
}

sub csv_fields {
	my ($line) = @_;
	my @f;
	while ($line =~ /\G(?:"((?:[^"]|"")*)"|([^,]*))(,|$)/g) {
		my $v = defined $1 ? $1 =~ s/""/"/gr : $2;
		push @f, $v;
		last if $3 eq '';
	}
	return @f;
}

sub csv_record {
	my ($kind, $layout, @f) = @_;
	if ($kind eq 'asn') {
		return undef unless $f[2] =~ /^\d+$/;
		my %r = (autonomous_system_number => 0 + $f[2]);
		$r{autonomous_system_organization} = $f[3] if defined $f[3] && length $f[3];
		return \%r;
	}
	my $cc = $f[2] // '';
	my %r;
	if ($layout eq 'flat') {
		$r{country_code} = $cc if length $cc;
	} else {
		$r{country} = { iso_code => $cc } if length $cc;
	}
	if ($kind eq 'city' && defined $f[8] && length $f[7] && length $f[8]) {
		if ($layout eq 'flat') {
			$r{latitude}  = 0.0 + $f[7];
			$r{longitude} = 0.0 + $f[8];
			$r{city} = $f[5] if length($f[5] // '');
		} else {
			$r{location} = { latitude => 0.0 + $f[7], longitude => 0.0 + $f[8] };
			$r{city} = { names => { en => $f[5] } } if length($f[5] // '');
		}
	}
	return %r ? \%r : undef;
}

sub insert_csv {
	my ($tree, $kind, $layout, $path) = @_;
	open my $fh, '<:encoding(UTF-8)', $path or die "mkmmdb.pl: cannot read $path: $!\n";
	while (my $line = <$fh>) {
		$line =~ s/\r?\n$//;
		next if $line eq '' || $line =~ /^#/ || $line =~ /^ip_range_start/;
		my @f = csv_fields($line);
		die "mkmmdb.pl: $path:$.: expected at least 3 columns\n" if @f < 3;
		my $rec = csv_record($kind, $layout, @f);
		next unless $rec;
		eval { $tree->insert_range($f[0], $f[1], $rec); 1 }
		    or die "mkmmdb.pl: $path:$.: $@";
	}
	close $fh;
}
