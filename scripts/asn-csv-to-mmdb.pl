#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Build an ASN MaxMind DB from the @ip-location-db/asn CSV files.
#
#   asn-csv-to-mmdb.pl --out FILE CSV...
#
# Each CSV line is "first_ip,last_ip,asn,organisation" (IPv4 or IPv6, no
# header); the organisation may be quoted, with "" for a quote inside. The
# records use the keys of the ip-location-db and GeoLite2 ASN databases,
# autonomous_system_number (uint32) and autonomous_system_organization, so
# userspace/engine/geo.c reads the file like any other ASN database.
#
# Why not scripts/mkmmdb.pl: this one is tuned for the 500,000-line input.
# It splits each line on its first three commas instead of a general CSV
# regex (organisation names such as "LLC ""SPUTNIK""" end in escaped
# quotes), shares one record per distinct ASN, and skips IPv6 ranges inside
# the prefixes the writer aliases to IPv4 (::ffff:0:0/96, 2001::/32 Teredo,
# 2002::/16 6to4): inserting there would overwrite the alias and fail, and an
# IPv4 address looked up in those forms finds its IPv4 record anyway.
use strict;
use warnings;

use Getopt::Long qw(GetOptions);
use MaxMind::DB::Writer::Tree;

my $out;
GetOptions('out=s' => \$out) or usage();
usage() unless $out && @ARGV;

my %types = (
	autonomous_system_number       => 'uint32',
	autonomous_system_organization => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version            => 6,
	record_size           => 28,
	database_type         => 'ip-location-db-asn',
	languages             => ['en'],
	description           => { en => 'ASN from @ip-location-db/asn (RouteViews, NRO, DB-IP; CC BY 4.0), '
	    . 'built by fluxwall scripts/asn-csv-to-mmdb.pl' },
	alias_ipv6_to_ipv4    => 1,
	remove_reserved_networks => 0,
	map_key_type_callback => sub { $types{ $_[0] } // die "no type for key '$_[0]'\n" },
);

my ($rows, $skipped) = (0, 0);
my %record_of;	# one shared hash per ASN and organisation

for my $path (@ARGV) {
	open my $fh, '<:encoding(UTF-8)', $path or die "asn-csv-to-mmdb.pl: cannot read $path: $!\n";
	while (my $line = <$fh>) {
		$line =~ s/\r?\n\z//;
		next if $line eq '' || $line =~ /^#/;
		my ($first, $last, $asn, $org) = split /,/, $line, 4;
		die "asn-csv-to-mmdb.pl: $path:$.: expected first_ip,last_ip,asn,organisation\n"
		    unless defined $asn && $asn =~ /^\d+$/;
		if (aliased($first)) {
			$skipped++;
			next;
		}
		$org = unquote($org // '');
		my $rec = $record_of{"$asn\0$org"} //= {
			autonomous_system_number => 0 + $asn,
			length $org ? (autonomous_system_organization => $org) : (),
		};
		eval { $tree->insert_range($first, $last, $rec); 1 }
		    or die "asn-csv-to-mmdb.pl: $path:$.: $@";
		$rows++;
	}
	close $fh;
}

open my $fh, '>:raw', $out or die "asn-csv-to-mmdb.pl: cannot write $out: $!\n";
$tree->write_tree($fh);
close $fh or die "asn-csv-to-mmdb.pl: writing $out failed: $!\n";
printf STDERR "asn-csv-to-mmdb.pl: %d ranges, %d ASN records, %d aliased IPv6 ranges skipped\n",
    $rows, scalar keys %record_of, $skipped;
exit 0;

sub usage {
	print STDERR "usage: asn-csv-to-mmdb.pl --out FILE CSV...\n";
	exit 2;
}

# Addresses as the CSV writes them: lower case, zeros compressed.
sub aliased {
	my ($ip) = @_;
	return $ip =~ /^(?:::ffff:|2001::|2001:0:|2002:)/i;
}

sub unquote {
	my ($s) = @_;
	return $s unless $s =~ /^"(.*)"\z/s;
	return $1 =~ s/""/"/gr;
}
